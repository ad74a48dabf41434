"""A history clean-up plan: ``git filter-repo --replace-text`` expressions that match each
key by pattern (never the key itself), the commands to run, and the refs that still hold
each key.

Rotation is the fix; a rewrite is hygiene. Forks, clones, caches and a hosting service's
pull-request refs keep what they fetched, which is why the plan says so first.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from keyguard.triage.model import KeyTriage
from scanner.report.exposure import is_pull_ref, is_tag

REPLACEMENT = "***REMOVED-KLAVIYO-KEY***"
WARNING = (
    "Rotation is the fix; this rewrite is hygiene. Forks, clones, CI caches, mirrors, "
    "pull-request refs on the hosting service and anyone who fetched keep the keys: rotate "
    "or disable each key first, then rewrite, then ask everyone to clone afresh."
)
#: filter-repo reads a line ``regex:PATTERN==>REPLACEMENT``; a key is ``pk_`` (and an
#: optional 6-character prefix) and 34 hex digits, named here by its last four only.
_BEFORE, _AFTER = "(?<![A-Za-z0-9_])", "(?![A-Za-z0-9_])"


def expression(tail: str) -> str:
    """The expression that replaces every key ending in *tail* (four hex digits)."""
    return f"regex:{_BEFORE}pk_(?:[A-Za-z0-9]{{6}}_)?[0-9a-f]{{30}}{tail}{_AFTER}==>{REPLACEMENT}"


@dataclass(frozen=True)
class Held:
    """The refs of one repository that still reach a key."""

    fingerprint: str
    redacted: str
    repository: str
    branches: tuple[str, ...]  # and every other ref that is neither a tag nor a pull request
    tags: tuple[str, ...]
    pull_refs: tuple[str, ...]


@dataclass(frozen=True)
class Encoded:
    """An occurrence written encoded (base64, escapes): no expression matches it."""

    redacted: str
    place: str
    encoding: str


@dataclass(frozen=True)
class PurgePlan:
    file: Path
    expressions: tuple[str, ...]
    held: tuple[Held, ...]
    encoded: tuple[Encoded, ...]
    warning: str = WARNING

    @property
    def repositories(self) -> tuple[str, ...]:
        return tuple(sorted({h.repository for h in self.held}))

    def text(self) -> str:
        """The expressions file: one expression a line, nothing else (filter-repo would
        read a comment line as a literal to replace)."""
        return "".join(e + "\n" for e in self.expressions)

    def commands(self, repository: str) -> tuple[str, ...]:
        mirror = Path(repository).name.removesuffix(".git") + ".purge.git"
        q = shlex.quote
        return (
            f"git clone --mirror {q(repository)} {q(mirror)}",
            f"git -C {q(mirror)} filter-repo --replace-text {q(str(self.file.absolute()))}",
            f"git -C {q(mirror)} push --force --all REMOTE_URL",
            f"git -C {q(mirror)} push --force --tags REMOTE_URL",
        )


def plan(keys: Sequence[KeyTriage], file: Path) -> PurgePlan:
    """The plan for every key seen in a repository's history."""
    tails: dict[str, None] = {}
    held: list[Held] = []
    encoded: list[Encoded] = []
    for k in keys:
        if not k.exposure.repositories:
            continue
        tails[k.redacted[-4:]] = None
        for repository in k.exposure.repositories:
            refs = k.exposure.refs_in(repository)
            held.append(
                Held(
                    k.fingerprint,
                    k.redacted,
                    repository,
                    tuple(r for r in refs if not is_tag(r) and not is_pull_ref(r)),
                    tuple(r for r in refs if is_tag(r)),
                    tuple(r for r in refs if is_pull_ref(r)),
                )
            )
        encoded += [Encoded(k.redacted, str(place), how) for place, how in k.exposure.encoded]
    return PurgePlan(
        file,
        tuple(expression(t) for t in sorted(tails)),
        tuple(held),
        tuple(dict.fromkeys(encoded)),
    )
