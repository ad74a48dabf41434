"""Sweep one target: a git work tree, a bare repository, or a plain directory.

For a repository every unique blob reachable from every ref is scanned once (see
:mod:`scanner.git.objects`), then only blobs that held a key are attributed (see
:mod:`scanner.git.attribution`). A work tree's untracked and modified files are scanned
too, since they are one ``git add`` away from the history.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from plugins.errors import ErrorKind, KeyguardError, UsageError
from scanner.detect.engine import Detection, detect_bytes, detect_stream
from scanner.detect.options import DetectOptions
from scanner.exclude import Excludes
from scanner.findings import ScanIssue
from scanner.git.attribution import HeadTree, attribute, head_tree
from scanner.git.command import GitNotFound
from scanner.git.objects import Blob, BlobStream, Selection
from scanner.git.repository import Repository, UnknownRevision, open_repository, resolve_commit
from scanner.git.worktree import Hit, sweep_worktree
from scanner.scan import scan_paths


@dataclass(frozen=True)
class SweepOptions:
    """What to read in each repository."""

    unreachable: bool = False
    since: str | None = None  # scan only what is not reachable from this revision
    refs: tuple[str, ...] = ()  # rev-list starting points; empty means every ref
    worktree: bool = True  # also scan untracked and modified work-tree files
    exclude_remotes: bool = False  # also skip what any remote-tracking ref reaches
    streams: int = 1  # cat-file processes reading one repository at once
    detect: DetectOptions = field(default_factory=DetectOptions)  # archive limits and such
    #: Tree paths not to read (a blob is skipped by the path it is first met at).
    excludes: Excludes = field(default_factory=Excludes)

    def __post_init__(self) -> None:
        if self.unreachable and (self.since or self.refs or self.exclude_remotes):
            raise UsageError(
                "a sweep of every object, unreachable ones too, cannot be narrowed to a "
                "range or to refs",
                kind=ErrorKind.UNREACHABLE_NARROWED,
            )


@dataclass(frozen=True)
class SweepStats:
    blobs: int = 0
    bytes: int = 0
    cached: int = 0  # blobs skipped because a cache says they were scanned clean
    files: int = 0  # work-tree or directory files
    binary: int = 0  # blobs and files read as binary (raw ASCII and UTF-16 keys)

    def __add__(self, other: SweepStats) -> SweepStats:
        return SweepStats(
            *(
                a + b
                for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)
            )
        )


@dataclass(frozen=True)
class TargetResult:
    target: str
    kind: str  # "repository", "bare repository", "directory" or "unreadable"
    hits: tuple[Hit, ...] = ()
    errors: tuple[ScanIssue, ...] = ()
    warnings: tuple[ScanIssue, ...] = ()
    stats: SweepStats = SweepStats()
    clean_blobs: tuple[str, ...] = field(default=(), repr=False)  # for a scan cache
    #: Blobs whose reading left a warning (damage read around), with the path each was
    #: read under: never taken as clean.
    noted_blobs: tuple[tuple[str, str], ...] = field(default=(), repr=False)


Progress = Callable[[int, int], None]  # (blobs, bytes) scanned since the last call


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C during a sweep, carrying the blobs scanned clean so far (for a scan cache:
    an interrupted nightly sweep must not start from nothing the next night)."""

    def __init__(self, clean_blobs: tuple[str, ...]) -> None:
        super().__init__(f"{len(clean_blobs)} blobs scanned clean before the interrupt")
        self.clean_blobs = clean_blobs


def sweep_target(
    target: Path,
    options: SweepOptions,
    *,
    cache: Collection[str] = (),
    remember: bool = False,
    progress: Progress | None = None,
    only: Mapping[str, str] | None = None,
) -> TargetResult:
    """Sweep *target*; problems are recorded in the result, never raised, except a revision
    that does not exist (:class:`UnknownRevision`): that is a mistake in what was asked.
    *only* (blob id -> path), when given, are the only blobs of a repository read: what is new
    since a sweep the caller recorded; keys are still attributed over the whole history."""
    name = str(target)
    if not os.path.lexists(target):
        return TargetResult(
            name, "unreadable", errors=(ScanIssue(name, "no such file or directory"),)
        )
    if not target.is_dir():
        return _sweep_directory(target, options.excludes)  # a single file: scanned as a file
    if not os.access(target, os.R_OK | os.X_OK):
        return TargetResult(name, "unreadable", errors=(ScanIssue(name, "permission denied"),))
    try:
        repo = open_repository(target)
    except GitNotFound as exc:
        plain = _sweep_directory(target, options.excludes)
        issue = ScanIssue.of(name, str(exc), exc)
        return dataclasses.replace(plain, errors=(*plain.errors, issue))
    except KeyguardError as exc:
        return TargetResult(name, "unreadable", errors=(ScanIssue.of(name, str(exc), exc),))
    if repo is None:
        return _sweep_directory(target, options.excludes)
    try:
        return _sweep_repository(name, repo, options, cache, remember, progress, only)
    except UnknownRevision:
        raise
    except KeyguardError as exc:
        return TargetResult(name, _kind(repo), errors=(ScanIssue.of(name, str(exc), exc),))


def _kind(repo: Repository) -> str:
    return "repository" if repo.work_tree else "bare repository"


def _sweep_directory(target: Path, excludes: Excludes) -> TargetResult:
    result = scan_paths([target], excludes=excludes)
    hits = tuple((f.secret, o) for f in result.findings for o in f.occurrences)
    stats = SweepStats(
        files=result.stats.files, bytes=result.stats.bytes, binary=result.stats.binary
    )
    return TargetResult(str(target), "directory", hits, result.errors, result.warnings, stats=stats)


def _scan_blob(blob: Blob, options: DetectOptions) -> Detection:
    if blob.data is not None:
        return detect_bytes(blob.path, blob.data, options=options)
    assert blob.read is not None
    return detect_stream(blob.path, blob.read, options=options)


def _sweep_repository(
    name: str,
    repo: Repository,
    options: SweepOptions,
    cache: Collection[str],
    remember: bool,
    progress: Progress | None,
    only: Mapping[str, str] | None = None,
) -> TargetResult:
    revs: tuple[str, ...] = options.refs or ("--all",)
    if options.refs:
        revs = tuple(resolve_commit(repo, rev) for rev in options.refs)
    if options.since or options.exclude_remotes:
        revs = (*revs, "--not")
    if options.since:
        revs = (*revs, resolve_commit(repo, options.since))
    if options.exclude_remotes:
        revs = (*revs, "--remotes")
    stream = BlobStream(repo, Selection(revs, options.unreachable, only), skip=cache)
    tally = _Tally(remember, progress, options.detect, options.excludes)
    try:
        stream.scan(tally.visit, streams=options.streams)
    except KeyboardInterrupt as exc:
        with tally.lock:
            so_far = tuple(tally.clean)
        raise SweepInterrupted(so_far) from exc
    tally.flush()
    matched, clean, blobs, size = tally.matched, tally.clean, tally.blobs, tally.bytes
    errors = [ScanIssue(name, message) for message in stream.errors] + tally.notes
    head = head_tree(repo)
    warnings = [*_warnings(name, repo, head), *tally.warnings]
    if stream.missing:
        errors.append(
            ScanIssue(
                name,
                f"{stream.missing} object(s) named by history are missing from the object "
                "store (a partial clone or an incomplete copy); every other blob was swept",
            )
        )
    log_revs = ("--all", "--reflog") if options.unreachable else revs
    hits = attribute(repo, matched, log_revs, head)
    files = 0
    if repo.work_tree is not None and options.worktree and revs == ("--all",):
        work = sweep_worktree(repo, options.excludes, options.detect)
        hits.extend(work.hits)
        files, size = work.files, size + work.bytes
        errors.extend(work.errors)
        warnings.extend(work.warnings)
    return TargetResult(
        name,
        _kind(repo),
        tuple(hits),
        tuple(errors),
        tuple(warnings),
        SweepStats(
            blobs=blobs, bytes=size, cached=stream.skipped, files=files, binary=tally.binary
        ),
        tuple(clean),
        tuple(tally.noted),
    )


class _Tally:
    """What the blob stream found; ``visit`` may be called from several reader threads."""

    def __init__(
        self,
        remember: bool,
        progress: Progress | None,
        detect: DetectOptions,
        excludes: Excludes,
    ) -> None:
        self.remember = remember
        self.excludes = excludes
        self.detect = detect
        self.progress = progress
        self.matched: dict[str, tuple[str, tuple[Hit, ...]]] = {}
        self.clean: list[str] = []
        self.notes: list[ScanIssue] = []  # archives or maps inside a blob not read in full
        self.warnings: list[ScanIssue] = []  # damaged blobs, read as far as they go
        self.noted: list[tuple[str, str]] = []  # the blobs those warnings are about
        self.blobs = self.bytes = self.binary = 0
        self._pending_blobs = self._pending_bytes = 0
        self.lock = threading.Lock()

    def visit(self, blob: Blob) -> None:
        if self.excludes.match(blob.path):
            return  # not read, so not remembered as clean either
        detection = _scan_blob(blob, self.detect)  # outside the lock: detection is the work
        with self.lock:
            self.blobs += 1
            self.bytes += blob.size
            self.binary += detection.binary
            self.notes.extend(detection.notes)
            self.warnings.extend(detection.warnings)
            if detection.warnings:
                self.noted.append((blob.oid, blob.path))
            if detection.hits:
                self.matched[blob.oid] = (blob.path, detection.hits)
            elif self.remember and not detection.notes and not detection.warnings:
                # A blob with something left unread, or damage read around, is not clean:
                # the next sweep reads it again (and says so again) instead of trusting a
                # cache that would make the line disappear.
                self.clean.append(blob.oid)
            self._pending_blobs += 1
            self._pending_bytes += blob.size
            if self._pending_bytes >= 16 << 20 or self._pending_blobs >= 5000:
                self.flush()

    def flush(self) -> None:
        if self.progress is not None and self._pending_blobs:
            self.progress(self._pending_blobs, self._pending_bytes)
        self._pending_blobs = self._pending_bytes = 0


def _warnings(name: str, repo: Repository, head: HeadTree) -> tuple[ScanIssue, ...]:
    out = []
    if repo.shallow:
        out.append(
            ScanIssue(
                name,
                "shallow clone: commits before the shallow boundary were "
                "not swept; sweep a full clone to cover them",
            )
        )
    for path, commit in head.submodules:
        out.append(
            ScanIssue(
                f"{name}/{path}",
                f"submodule at {commit[:12]} recorded, not "
                "followed: sweep its repository as a target",
            )
        )
    return tuple(out)
