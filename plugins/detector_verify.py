"""``KlaviyoDetector.verify()`` for detect-secrets: one process-wide verifier per base URL.

detect-secrets instantiates plugins itself and calls ``verify(secret)`` for every match
(twice with ``--only-verified``), with no way to pass a client in. So this module keeps
the one piece of process state in keyguard: a ``Verifier`` per base URL, whose run cache
makes each distinct key cost one request per detect-secrets process (detect-secrets scans
with a process pool, so a key found by two workers is asked about twice).

``detect-secrets-hook`` runs on every commit, so there the plugin never touches the network
unless ``KEYGUARD_VERIFY`` turns it on, and then the whole process gets one deadline
(:data:`HOOK_DEADLINE`): a hung endpoint or a slow DNS never holds a commit longer.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from typing import Any

from plugins.client.api import DEFAULT_BASE_URL, ENV_URL, KeyStatus, KlaviyoClient
from plugins.client.bulk_verify import Verifier
from plugins.pattern import Secret, is_key

#: Set to 0/off/false/no to keep the plugin off the network (like ``--no-verify``) where
#: detect-secrets is run by other tools: offline CI, or a test suite that must stay hermetic.
ENV_SWITCH = "KEYGUARD_VERIFY"
_OFF = frozenset({"0", "off", "false", "no"})
_ON = frozenset({"1", "on", "true", "yes"})

#: Seconds the whole ``detect-secrets-hook`` process may spend verifying, when asked to.
HOOK_DEADLINE = 2.0
#: How detect-secrets' pre-commit entry point runs: the console script or ``-m``.
_HOOK_PROGRAMS = frozenset({"detect-secrets-hook", "pre_commit_hook.py"})

_lock = threading.Lock()
_verifiers: dict[str, Verifier] = {}
_hook_deadline: list[float] = []  # set on the hook's first verification


def in_hook() -> bool:
    """True inside ``detect-secrets-hook`` (a commit waits on it)."""
    return os.path.basename(sys.argv[0] if sys.argv else "") in _HOOK_PROGRAMS


def _wanted(hook: bool) -> bool:
    setting = os.environ.get(ENV_SWITCH, "").strip().lower()
    if hook:
        return setting in _ON
    return setting not in _OFF


def _verifier_for(url: str) -> Verifier:
    with _lock:
        verifier = _verifiers.get(url)
        if verifier is None:
            client = KlaviyoClient(url)
            atexit.register(client.close)
            verifier = _verifiers[url] = Verifier(client, concurrency=1)
        return verifier


def _hook_verifier_for(url: str) -> Verifier:
    with _lock:
        verifier = _verifiers.get(url)
        if verifier is None:
            # No atexit close: a request still hanging at the deadline must not hold exit.
            client = KlaviyoClient(url, timeout=HOOK_DEADLINE, max_attempts=1, max_wait=0.0)
            verifier = _verifiers[url] = Verifier(
                client, concurrency=1, budget=HOOK_DEADLINE, max_attempts=1, max_throttled=0
            )
        return verifier


def _within_hook_deadline(verifier: Verifier, secret: Secret) -> KeyStatus:
    """The key's status, or UNKNOWN once the process's deadline has passed. The check runs
    in a daemon thread: DNS look-ups and connects ignore httpx's timeouts."""
    with _lock:
        if not _hook_deadline:
            _hook_deadline.append(time.monotonic() + HOOK_DEADLINE)
        remaining = _hook_deadline[0] - time.monotonic()
    if remaining <= 0:
        return KeyStatus.UNKNOWN
    answer: list[KeyStatus] = []
    worker = threading.Thread(
        target=lambda: answer.append(verifier.verify_one(secret).status), daemon=True
    )
    worker.start()
    worker.join(remaining)
    return answer[0] if answer else KeyStatus.UNKNOWN


def verify(secret: str) -> Any:
    """A detect-secrets ``VerifiedResult``: live or limited is VERIFIED_TRUE, revoked is
    VERIFIED_FALSE, anything we could not tell is UNVERIFIED."""
    from detect_secrets.constants import VerifiedResult

    hook = in_hook()
    if not is_key(secret) or not _wanted(hook):
        return VerifiedResult.UNVERIFIED
    url = os.environ.get(ENV_URL) or DEFAULT_BASE_URL
    if hook:
        status = _within_hook_deadline(_hook_verifier_for(url), Secret(secret))
    else:
        status = _verifier_for(url).verify_one(Secret(secret)).status
    if status in (KeyStatus.LIVE, KeyStatus.LIMITED):
        return VerifiedResult.VERIFIED_TRUE
    if status is KeyStatus.REVOKED:
        return VerifiedResult.VERIFIED_FALSE
    return VerifiedResult.UNVERIFIED
