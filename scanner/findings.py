"""Findings grouped by secret: one finding per distinct key, many occurrences.

The records a scan produces are the records a report holds: occurrences, their
provenance and source locations, verification verdicts and notes each round-trip JSON
(``to_json`` / ``from_json``); :mod:`scanner.report.model` assembles the document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plugins.errors import ErrorKind, KeyguardError
from plugins.key_status import KeyStatus
from plugins.pattern import SECRET_TYPE, Secret
from scanner.report.fields import Fields, ReportError

if TYPE_CHECKING:  # the pre-commit path never verifies: keep its imports lean
    from plugins.client.responses import Account

JSON = dict[str, Any]


@dataclass(frozen=True, order=True)
class SourceLocation:
    """A place in an original source file, as a source map names it (1-based)."""

    path: str
    line: int
    column: int

    def to_json(self) -> JSON:
        return {"path": self.path, "line": self.line, "column": self.column}

    @classmethod
    def from_json(cls, f: Fields) -> SourceLocation:
        return cls(f.text("path"), f.integer("line", least=1), f.integer("column", least=1))


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

    def to_json(self) -> JSON:
        """The fields a report adds to an occurrence (flat, beside path and line)."""
        return {
            "repository": self.repository,
            "blob": self.blob,
            "commit": self.commit,
            "author_date": self.author_date,
            "author": self.author,
            "refs": list(self.refs),
            "at_head": self.at_head,
            "in_worktree": self.in_worktree,
        }

    @classmethod
    def from_json(cls, f: Fields) -> Provenance:
        return cls(
            repository=f.text("repository"),
            blob=f.text("blob"),
            commit=f.optional_text("commit"),
            author_date=f.optional_text("author_date"),
            author=f.optional_text("author"),
            refs=f.texts("refs"),
            at_head=f.flag("at_head", False),
            in_worktree=f.flag("in_worktree", False),
        )

    def order(self) -> tuple[object, ...]:
        """The field order, with a missing commit or author first instead of raising."""
        return (
            self.repository,
            self.blob,
            *((v is not None, v or "") for v in (self.commit, self.author_date, self.author)),
            self.refs,
            self.at_head,
            self.in_worktree,
        )


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

    def to_json(self) -> JSON:
        out: JSON = {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "byte_column": self.byte_column,
            "encoding": self.encoding,
        }
        if self.original is not None:
            out["original"] = self.original.to_json()
        if self.provenance is not None:
            out.update(self.provenance.to_json())
        return out

    @classmethod
    def from_json(cls, f: Fields) -> Occurrence:
        """An occurrence; it has provenance when it names a blob (history, not a file)."""
        original = f.record("original")
        return cls(
            path=f.text("path"),
            line=f.integer("line", least=1),
            column=f.integer("column", least=1),
            byte_column=f.integer("byte_column", least=1),
            encoding=f.text("encoding"),
            original=None if original is None else SourceLocation.from_json(original),
            provenance=Provenance.from_json(f) if "blob" in f else None,
        )


@dataclass(frozen=True)
class Verdict:
    """What Klaviyo said about a key: nothing (``unverified``) until ``--verify`` asks."""

    status: KeyStatus = KeyStatus.UNVERIFIED
    account: Account | None = None
    reason: str | None = None

    def to_json(self) -> JSON:
        """The fields a report puts on a finding (``status_reason`` only once asked)."""
        out: JSON = {"status": self.status.value, "account": account_json(self.account)}
        if self.reason is not None:
            out["status_reason"] = self.reason
        return out

    @classmethod
    def from_json(cls, f: Fields) -> Verdict:
        word = f.text("status", KeyStatus.UNVERIFIED.value)
        try:
            status = KeyStatus(word)
        except ValueError:
            words = ", ".join(s.value for s in KeyStatus)
            raise ReportError(f"{f.where}.status must be one of {words}") from None
        return cls(status, account_from_json(f.record("account")), f.optional_text("status_reason"))


def account_json(account: Account | None) -> JSON | None:
    """The account a key belongs to, as every JSON report writes it (nothing personal)."""
    if account is None:
        return None
    return {
        "id": account.id,
        "public_key": account.public_key,
        "test_account": account.test_account,
    }


def account_from_json(f: Fields | None) -> Account | None:
    if f is None:
        return None
    from plugins.client.responses import Account  # only a report that was verified

    return Account(
        f.optional_text("id"), f.optional_text("public_key"), f.optional_flag("test_account")
    )


@dataclass(frozen=True)
class Finding:
    """A distinct key and everywhere it was seen. Identity is the fingerprint."""

    fingerprint: str
    redacted: str
    occurrences: tuple[Occurrence, ...]
    secret: Secret = field(repr=False, compare=False)
    type: str = SECRET_TYPE
    verdict: Verdict = Verdict()

    @property
    def status(self) -> KeyStatus:
        return self.verdict.status


@dataclass(frozen=True)
class ScanIssue:
    """A note: something the scan was asked to read and could not (or chose to skip), or
    a warning about the run. Reports list them as ``errors`` and ``warnings``."""

    path: str
    message: str
    #: What sort of note, for the command line to add its next step (a limit to raise, a
    #: host to allow), and the facts that step needs. Reports hold the message as the
    #: command line worded it: neither is written, read back or compared.
    kind: ErrorKind | None = field(default=None, compare=False)
    facts: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, path: str, message: str, cause: KeyguardError) -> ScanIssue:
        """A note about *path* whose next step is that of the error *cause*."""
        return cls(path, message, cause.kind, tuple(cause.facts.items()))

    def to_json(self) -> JSON:
        return {"path": self.path, "message": self.message}

    @classmethod
    def from_json(cls, f: Fields) -> ScanIssue:
        return cls(f.text("path"), f.text("message"))


@dataclass(frozen=True)
class ScanStats:
    files: int = 0
    bytes: int = 0
    skipped_binary: int = 0  # kept for report readers: binary files are read, not skipped
    binary: int = 0  # files read as binary (raw ASCII and UTF-16 keys)
    skipped_gitignored: int = 0  # paths (an ignored directory once) .gitignore excludes


@dataclass(frozen=True)
class ScanResult:
    """``errors``: what was named and left unread, in part or whole (exit code 3 when no
    key was found). ``warnings``: damaged files read as far as they can be, nothing left."""

    findings: tuple[Finding, ...]
    errors: tuple[ScanIssue, ...]
    stats: ScanStats = ScanStats()
    suppressed: int = 0  # occurrences hidden by a baseline or an allowlist pragma
    warnings: tuple[ScanIssue, ...] = ()


def occurrence_order(o: Occurrence) -> tuple[object, ...]:
    """The dataclass order of occurrences, except that a missing source location,
    provenance or commit sorts first instead of raising (a sweep mixes plain directories,
    whose occurrences have no provenance, with repositories, which always have one).
    Scans and ``keyguard merge`` order by it alike."""
    return (
        o.path,
        o.line,
        o.column,
        o.byte_column,
        o.encoding,
        o.original is not None,
        o.original or (),
        o.provenance is not None,
        o.provenance.order() if o.provenance is not None else (),
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
