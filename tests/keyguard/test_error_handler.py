"""Every kind of error has one exit code, and every error class keeps the code it had."""

from __future__ import annotations

import importlib
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from keyguard.error_handler import EXIT_CODE, exit_code_for
from keyguard.exit_codes import MEANING
from plugins.errors import ErrorKind, KeyguardError, UsageError

REPO_ROOT = Path(__file__).resolve().parents[2]

#: What each error class of the core exits with, as before kinds replaced the
#: ``exit_code`` attributes (2 usage, 3 not read, 4 step failed, 5 conflict, 6 locked).
CLASS_CODES = {
    "plugins.errors:KeyguardError": 2,
    "plugins.errors:UsageError": 2,
    "plugins.client.api:KlaviyoApiError": 3,
    "plugins.client.api:BetaEndpointUnavailable": 3,
    "plugins.client.api:KlaviyoUrlError": 2,
    "scanner.git.command:GitError": 3,
    "scanner.remote.api:ApiError": 3,
    "scanner.remote.mirror:MirrorError": 3,
    "scanner.stores.checkpoint:CheckpointError": 2,
    "scanner.git.command:GitNotFound": 3,
    "scanner.git.repository:UnknownRevision": 2,
    "scanner.stores.blobcache:CacheError": 2,
    "scanner.stores.baseline:BaselineError": 2,
    "scanner.report.fields:ReportError": 2,
    "scanner.sources.staged:NotARepository": 2,
    "scanner.sources.netpolicy:Refused": 2,
    "scanner.detect.sourcemap.reference:ReferenceRefused": 2,
    "scanner.detect.sourcemap.model:SourceMapError": 2,
    "scanner.detect.sourcemap.vlq:VlqError": 2,
    "rotator.errors:RotationError": 4,
    "rotator.errors:VaultUnavailable": 4,
    "rotator.errors:VaultAccessError": 4,
    "rotator.errors:PreflightError": 4,
    "rotator.errors:GateError": 4,
    "rotator.errors:NewKeyRejected": 4,
    "rotator.errors:UnusedKeyError": 4,
    "rotator.errors:MalformedNewKey": 2,
    "rotator.errors:KlaviyoUnavailable": 4,
    "rotator.errors:ConflictError": 5,
    "rotator.errors:LockedError": 6,
    "rotator.errors:NoRotationError": 4,
    "rotator.integrations:IntegrationError": 4,
    "rotator.vault:CasMismatch": 5,
}


def _load(target: str) -> type[KeyguardError]:
    module, _, name = target.partition(":")
    cls: object = getattr(importlib.import_module(module), name)
    assert isinstance(cls, type)
    assert issubclass(cls, KeyguardError)
    return cls


def _make(cls: type[KeyguardError]) -> KeyguardError:
    make: Callable[..., KeyguardError] = cls
    try:
        return make("what happened")
    except TypeError:  # a class that words its one message itself (GitNotFound)
        return make()


def _all_subclasses(cls: type[KeyguardError]) -> set[type[KeyguardError]]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _all_subclasses(sub)
    return found


def test_every_kind_has_an_exit_code_in_the_table() -> None:
    assert set(EXIT_CODE) == set(ErrorKind)
    assert set(EXIT_CODE.values()) <= set(MEANING)


@pytest.mark.parametrize(("target", "code"), sorted(CLASS_CODES.items()))
def test_each_error_class_keeps_its_exit_code(target: str, code: int) -> None:
    assert exit_code_for(_make(_load(target))) == code


def test_every_error_class_of_the_core_is_in_the_list() -> None:
    for module in CLASS_CODES:
        importlib.import_module(module.partition(":")[0])
    # Every module of the core, so that a new error class cannot hide from the list.
    for path in sorted(REPO_ROOT.glob("[psr]*/**/*.py")):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        if parts[0] in ("plugins", "scanner", "rotator"):
            importlib.import_module(".".join(p for p in parts if p != "__init__"))
    known = {_load(target) for target in CLASS_CODES}
    assert _all_subclasses(KeyguardError) - {KeyguardError} <= known | _keyguard_own()


def _keyguard_own() -> set[type[KeyguardError]]:
    from keyguard.error_wording import Worded

    return {Worded}


def test_a_usage_error_is_always_exit_2() -> None:
    # The old mapping checked isinstance(UsageError) before anything else: a class that is
    # both a usage error and, say, a git error is still a mistake in the input.
    for target in CLASS_CODES:
        cls = _load(target)
        if issubclass(cls, UsageError):
            assert exit_code_for(_make(cls)) == 2, target


def test_a_raise_site_can_name_a_more_precise_kind() -> None:
    error = UsageError("shard '4/4': I must be in 0..N-1", kind=ErrorKind.BAD_SHARD, text="4/4")
    assert error.kind is ErrorKind.BAD_SHARD
    assert error.facts == {"text": "4/4"}
    assert UsageError("plain").kind is ErrorKind.USAGE
    assert UsageError("plain").facts == {}


def test_kind_and_facts_survive_a_worker_process() -> None:
    # A sweep's workers send errors back pickled.
    error = UsageError("host 'cdn' is not allowed", kind=ErrorKind.HOST_NOT_ALLOWED, host="cdn")
    back = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert (type(back), str(back), back.kind, back.facts) == (
        UsageError,
        "host 'cdn' is not allowed",
        ErrorKind.HOST_NOT_ALLOWED,
        {"host": "cdn"},
    )
