"""The report: one typed document behind every machine format and every reader of reports.

``scan`` and ``sweep`` build a :class:`Report` from their results; JSON, JSON Lines and
SARIF are written from it; ``merge`` and ``verify --from-report`` read it back with
:func:`load`. Occurrences, provenance, verdicts and notes are the scan's own records
(:mod:`scanner.findings`). The document carries :data:`SCHEMA_VERSION`; its JSON Schema is
``docs/report.schema.json``, described in ``docs/report.md``.

A report holds fingerprints and redacted forms, never a key, unless ``--show-secrets``
put the key in (:attr:`ReportFinding.secret`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from plugins.errors import ErrorKind
from plugins.key_status import KeyStatus
from plugins.pattern import KEY_RE, SECRET_TYPE, Secret, fingerprint
from scanner.findings import JSON, Finding, Occurrence, ScanIssue, ScanResult, Verdict
from scanner.report import jsontext
from scanner.report.fields import Fields, ReportError

if TYPE_CHECKING:
    from scanner.fleet import SweepResult

#: The report's shape. Raised when a field changes meaning or a required one is added;
#: a report of a newer version is refused rather than half understood.
SCHEMA_VERSION = 1

_FINGERPRINT_DIGITS = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class ReportFinding:
    """A distinct key as a report holds it: its fingerprint, not the key."""

    fingerprint: str
    redacted: str
    occurrences: tuple[Occurrence, ...] = ()
    type: str = SECRET_TYPE
    verdict: Verdict = field(default_factory=Verdict)
    #: The whole key, only when ``--show-secrets`` asked for it.
    secret: Secret | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, finding: Finding, *, show_secrets: bool = False) -> ReportFinding:
        return cls(
            finding.fingerprint,
            finding.redacted,
            finding.occurrences,
            finding.type,
            finding.verdict,
            finding.secret if show_secrets else None,
        )

    @property
    def status(self) -> KeyStatus:
        return self.verdict.status

    def head_json(self) -> JSON:
        """Every field but the occurrences (a JSON Lines line repeats these on each)."""
        out: JSON = {"fingerprint": self.fingerprint, "type": self.type, "redacted": self.redacted}
        out.update(self.verdict.to_json())
        if self.secret is not None:
            out["secret"] = self.secret.reveal()
        return out

    def to_json(self) -> JSON:
        return {**self.head_json(), "occurrences": [o.to_json() for o in self.occurrences]}

    @classmethod
    def from_json(cls, f: Fields) -> ReportFinding:
        digest = f.text("fingerprint")
        if len(digest) != 64 or not set(digest) <= _FINGERPRINT_DIGITS:
            raise ReportError(f"{f.where}.fingerprint must be 64 lowercase hex digits")
        secret = None
        # A secret that is no key was redacted on the way out (merges before
        # schema_version 1 wrote them so): the finding is read as one without its key.
        key = f.optional_text("secret")
        if key is not None and KEY_RE.fullmatch(key):
            if fingerprint(key) != digest:
                raise ReportError(f"{f.where}.secret is not the key its fingerprint names")
            secret = Secret(key)
        return cls(
            fingerprint=digest,
            redacted=f.text("redacted"),
            # verify --from-report needs no occurrences, and hand-written reports omit them
            occurrences=tuple(Occurrence.from_json(o) for o in f.records("occurrences")),
            type=f.text("type", SECRET_TYPE),
            verdict=Verdict.from_json(f),
            secret=secret,
        )


@dataclass(frozen=True)
class Stats:
    """What was read. ``blobs`` and ``cached_blobs`` are a sweep's (None for a scan)."""

    files: int = 0
    bytes: int = 0
    skipped_binary: int = 0  # kept for report readers: binary files are read, not skipped
    binary: int = 0
    skipped_gitignored: int = 0
    suppressed: int = 0  # occurrences hidden by a baseline or an allowlist pragma
    blobs: int | None = None
    cached_blobs: int | None = None
    api_calls: int | None = None  # sweeps of remote targets: forge API calls made
    repositories: int | None = None  # sweeps of remote targets: repositories listed

    def to_json(self) -> JSON:
        out: JSON = {
            "files": self.files,
            "bytes": self.bytes,
            "skipped_binary": self.skipped_binary,
            "binary": self.binary,
            "skipped_gitignored": self.skipped_gitignored,
            "suppressed": self.suppressed,
        }
        if self.blobs is not None:
            out["blobs"] = self.blobs
        if self.cached_blobs is not None:
            out["cached_blobs"] = self.cached_blobs
        if self.api_calls is not None:
            out["api_calls"] = self.api_calls
        if self.repositories is not None:
            out["repositories"] = self.repositories
        return out

    @classmethod
    def from_json(cls, f: Fields) -> Stats:
        return cls(
            files=f.integer("files", 0),
            bytes=f.integer("bytes", 0),
            skipped_binary=f.integer("skipped_binary", 0),
            binary=f.integer("binary", 0),
            skipped_gitignored=f.integer("skipped_gitignored", 0),
            suppressed=f.integer("suppressed", 0),
            blobs=f.optional_integer("blobs"),
            cached_blobs=f.optional_integer("cached_blobs"),
            api_calls=f.optional_integer("api_calls"),
            repositories=f.optional_integer("repositories"),
        )


@dataclass(frozen=True)
class Target:
    """One swept repository, directory, site or WARC file, and what it held."""

    target: str
    kind: str
    blobs: int = 0
    files: int = 0
    bytes: int = 0
    occurrences: int = 0
    errors: int = 0

    def to_json(self) -> JSON:
        return {
            "target": self.target,
            "kind": self.kind,
            "blobs": self.blobs,
            "files": self.files,
            "bytes": self.bytes,
            "occurrences": self.occurrences,
            "errors": self.errors,
        }

    @classmethod
    def from_json(cls, f: Fields) -> Target:
        counts = ("blobs", "files", "bytes", "occurrences", "errors")
        return cls(f.text("target"), f.text("kind"), *(f.integer(name, 0) for name in counts))


@dataclass(frozen=True)
class ShardRecord:
    """Which share of which target list a report covers, so a merge can tell a whole set.

    ``targets_sha256`` digests the whole list before sharding: shards of different lists
    (a repository added between two CI jobs) must not be merged as if they were one sweep.
    """

    index: int
    count: int
    targets_sha256: str

    def to_json(self) -> JSON:
        return {"index": self.index, "count": self.count, "targets_sha256": self.targets_sha256}

    @classmethod
    def from_json(cls, f: Fields) -> ShardRecord:
        return cls(f.integer("index"), f.integer("count", least=1), f.text("targets_sha256"))


@dataclass(frozen=True)
class Report:
    """A scan's, a sweep's or a merge's findings and notes. ``targets`` are a sweep's
    (None for a scan), and so are ``warnings``, except that a scan with warnings (a damaged
    file read as far as it goes) has them too; ``shard`` says which share of a sweep this is."""

    findings: tuple[ReportFinding, ...] = ()
    errors: tuple[ScanIssue, ...] = ()
    stats: Stats = Stats()
    warnings: tuple[ScanIssue, ...] | None = None
    targets: tuple[Target, ...] | None = None
    shard: ShardRecord | None = None

    @classmethod
    def of_scan(cls, result: ScanResult, *, show_secrets: bool = False) -> Report:
        s = result.stats
        return cls(
            tuple(ReportFinding.of(f, show_secrets=show_secrets) for f in result.findings),
            result.errors,
            Stats(
                s.files,
                s.bytes,
                s.skipped_binary,
                s.binary,
                s.skipped_gitignored,
                result.suppressed,
            ),
            result.warnings or None,  # a clean scan's report keeps the shape it always had
        )

    @classmethod
    def of_sweep(cls, result: SweepResult, *, show_secrets: bool = False) -> Report:
        s = result.stats
        return cls(
            tuple(ReportFinding.of(f, show_secrets=show_secrets) for f in result.findings),
            result.errors,
            Stats(
                s.files,
                s.bytes,
                binary=s.binary,
                blobs=s.blobs,
                cached_blobs=s.cached,
                api_calls=None if result.remote is None else result.remote.api_calls,
                repositories=None if result.remote is None else result.remote.repositories,
            ),
            result.warnings,
            tuple(
                Target(
                    t.target,
                    t.kind,
                    t.stats.blobs,
                    t.stats.files,
                    t.stats.bytes,
                    t.occurrences,
                    t.errors,
                )
                for t in result.targets
            ),
            result.shard,
        )

    def to_json(self) -> JSON:
        out: JSON = {
            "schema_version": SCHEMA_VERSION,
            "findings": [f.to_json() for f in self.findings],
            "errors": [e.to_json() for e in self.errors],
            "stats": self.stats.to_json(),
        }
        if self.warnings is not None:
            out["warnings"] = [w.to_json() for w in self.warnings]
        if self.targets is not None:
            out["targets"] = [t.to_json() for t in self.targets]
        if self.shard is not None:
            out["shard"] = self.shard.to_json()
        return out

    def dumps(self) -> str:
        """The JSON text (``--format json``)."""
        return jsontext.dumps(self.to_json(), items=len(self.findings))

    @classmethod
    def from_json(cls, document: object, *, source: str = "the document") -> Report:
        """The report in *document*; a ReportError names *source* if it is not one."""
        if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
            raise ReportError(
                f"{source} is not a keyguard JSON report (no findings list)",
                kind=ErrorKind.NOT_A_REPORT,
            )
        version = document.get("schema_version", SCHEMA_VERSION)  # absent before version 1
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            raise ReportError(
                f"{source} is a report of schema_version {version}; this keyguard reads "
                f"up to {SCHEMA_VERSION}: upgrade keyguard to read it"
            )
        try:
            return cls._read(Fields(document, ""))
        except ReportError as exc:
            raise ReportError(
                f"{source} is not a well-formed keyguard report ({exc})",
                kind=ErrorKind.NOT_A_REPORT,
            ) from None

    @classmethod
    def _read(cls, f: Fields) -> Report:
        f.integer("schema_version", SCHEMA_VERSION, least=1)
        stats = f.record("stats")
        shard = f.record("shard")
        return cls(
            tuple(ReportFinding.from_json(x) for x in f.records("findings", required=True)),
            tuple(ScanIssue.from_json(x) for x in f.records("errors")),
            Stats() if stats is None else Stats.from_json(stats),
            tuple(ScanIssue.from_json(x) for x in f.records("warnings"))
            if "warnings" in f
            else None,
            tuple(Target.from_json(x) for x in f.records("targets")) if "targets" in f else None,
            None if shard is None else ShardRecord.from_json(shard),
        )


def load(path: Path) -> Report:
    """The report in the file at *path*, or one ReportError line saying why not."""
    try:
        text = path.read_text(encoding="utf-8")
        document = json.loads(text)
    except OSError as exc:
        raise ReportError(f"cannot read report {path}: {exc.strerror or exc}") from None
    except ValueError:
        # Not the decoder's message: it can quote the file, which may hold keys.
        raise ReportError(f"{path} is not JSON", kind=ErrorKind.NOT_A_REPORT) from None
    return Report.from_json(document, source=str(path))
