"""Findings grouped by secret: one finding per distinct key, many occurrences."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

from plugins.pattern import SECRET_TYPE, Secret

if TYPE_CHECKING:  # the pre-commit path never verifies: keep its imports lean
    from plugins.client.responses import Account

#: A finding's status until ``--verify`` asks Klaviyo.
UNVERIFIED = "unverified"


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in an original source file, as a source map names it (1-based)."""

    path: str
    line: int
    column: int


@dataclass(frozen=True, order=True)
class Provenance:
    """Where a key in git history came from."""

    repository: str
    blob: str
    commit: str | None = None
    author_date: str | None = None  # ISO 8601
    author: str | None = None
    refs: tuple[str, ...] = ()
    at_head: bool = False
    in_worktree: bool = False


#: Provenance field names in report order (JSON, SARIF properties, merge).
PROVENANCE_FIELDS = tuple(f.name for f in fields(Provenance))


@dataclass(frozen=True, order=True)
class Occurrence:
    """Where a key was seen. Lines and columns count from 1; ``column`` is UTF-16 units.

    ``path`` reads like ``dir/app.apk!/assets/index.bundle`` for archive members and is
    the asset URL for a crawled site. ``encoding`` says how the key was hidden
    (``plain``, ``js-escape``, ``base64``, ``concat`` ...).
    """

    path: str
    line: int
    column: int
    byte_column: int
    encoding: str = "plain"
    original: SourceLocation | None = None
    provenance: Provenance | None = None


@dataclass(frozen=True)
class Finding:
    """A distinct key and everywhere it was seen. Identity is the fingerprint."""

    fingerprint: str
    redacted: str
    occurrences: tuple[Occurrence, ...]
    secret: Secret = field(repr=False, compare=False)
    type: str = SECRET_TYPE
    status: str = UNVERIFIED  # or a KeyStatus value: live, limited, revoked, unknown
    account: Account | None = None
    status_reason: str | None = None


@dataclass(frozen=True)
class ScanIssue:
    """Something the scan was asked to read and could not (or chose to skip)."""

    path: str
    message: str


@dataclass(frozen=True)
class ScanStats:
    files: int = 0
    bytes: int = 0
    skipped_binary: int = 0  # kept for report readers: binary files are read, not skipped
    binary: int = 0  # files read as binary (raw ASCII and UTF-16 keys)
    skipped_gitignored: int = 0  # paths (an ignored directory once) .gitignore excludes


@dataclass(frozen=True)
class ScanResult:
    findings: tuple[Finding, ...]
    errors: tuple[ScanIssue, ...]
    stats: ScanStats = ScanStats()
    suppressed: int = 0  # occurrences hidden by a baseline or an allowlist pragma


def occurrence_order(o: Occurrence) -> tuple[object, ...]:
    """The dataclass order of occurrences, except that a missing source location or
    provenance sorts first instead of raising (a sweep mixes plain directories, whose
    occurrences have no provenance, with repositories, which always have one)."""
    return (
        o.path,
        o.line,
        o.column,
        o.byte_column,
        o.encoding,
        o.original is not None,
        o.original or (),
        o.provenance is not None,
        o.provenance or (),
    )


def group(pairs: Iterable[tuple[Secret, Occurrence]]) -> tuple[Finding, ...]:
    """Group occurrences by key; findings and occurrences come out in a stable order."""
    by_fp: dict[str, tuple[Secret, set[Occurrence]]] = {}
    for secret, occurrence in pairs:
        fp = secret.fingerprint
        if fp not in by_fp:
            by_fp[fp] = (secret, set())
        by_fp[fp][1].add(occurrence)
    findings = [
        Finding(
            fingerprint=fp,
            redacted=secret.redacted,
            occurrences=tuple(sorted(occurrences, key=occurrence_order)),
            secret=secret,
        )
        for fp, (secret, occurrences) in by_fp.items()
    ]
    findings.sort(key=lambda f: (occurrence_order(f.occurrences[0]), f.fingerprint))
    return tuple(findings)
