"""Every blob of a repository, each exactly once, streamed through ``git cat-file --batch``.

The objects to read are listed first: for reachable history, ``git rev-list --objects``
(git walks every tree once; the first path it met each blob under rides along as
``%(rest)``); for ``--unreachable``, the whole object store in pack order
(``cat-file --batch-all-objects --unordered``), which adds dangling and reflog-only
objects such as the blobs of amended or reset commits. The list is then fed to one
persistent ``git cat-file --batch`` per stream and contents come back in one sequential
read. Inflating objects is the whole cost of a sweep, so a large repository can be read by
two ``cat-file`` processes at once, each over a contiguous half of the list.

GitPython's object database wraps the same ``cat-file --batch`` but pays a
write/flush/read round trip per object; the benchmark measured it 1.7x slower.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import threading
from collections.abc import Callable, Collection, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scanner.gitcmd import GitError, first_line, popen_git, run_git

#: Blobs up to this size are read whole; larger ones are streamed in chunks.
WHOLE_BLOB_LIMIT = 32 * 1024 * 1024
_CHUNK = 8 * 1024 * 1024
_MAX_RESTARTS = 16
#: Listings shorter than this (about a thousand objects) are not worth a second stream.
SPLIT_MIN = 64 * 1024
_FORMAT = "%(objectname) %(objecttype) %(objectsize) %(rest)"
#: Measured on the benchmark: a 128 MB delta base cache cuts cat-file's CPU by a quarter
#: against git's 96 MB default, and bounded pack windows keep a big pack from adding its
#: whole size to the resident set.
_CAT_FILE_CONFIG = (
    "-c",
    "core.deltaBaseCacheLimit=128m",
    "-c",
    "core.packedGitWindowSize=32m",
    "-c",
    "core.packedGitLimit=64m",
)


@dataclass(frozen=True)
class Repository:
    """A git repository as a sweep sees it."""

    root: Path  # the work tree, or the git directory of a bare repository
    git_dir: Path
    work_tree: Path | None
    shallow: bool
    object_format: str  # "sha1" or "sha256"


def open_repository(target: Path) -> Repository | None:
    """The repository at *target*, or None when *target* is not inside one."""
    proc = run_git(
        target,
        "rev-parse",
        "--absolute-git-dir",
        "--is-bare-repository",
        "--is-shallow-repository",
        "--show-object-format",
        check=False,
    )
    if proc.returncode != 0:
        message = first_line(proc.stderr)
        if "not a git repository" in message:
            return None
        raise GitError(f"{target}: {message}")
    git_dir, bare, shallow, fmt = proc.stdout.decode("utf-8", "surrogateescape").split("\n")[:4]
    work_tree: Path | None = None
    if bare != "true":
        top = run_git(target, "rev-parse", "--show-toplevel", check=False)
        if top.returncode == 0 and top.stdout.strip():
            work_tree = Path(top.stdout.decode("utf-8", "surrogateescape").rstrip("\n"))
    return Repository(
        root=work_tree or Path(git_dir),
        git_dir=Path(git_dir),
        work_tree=work_tree,
        shallow=shallow == "true",
        object_format=fmt or "sha1",
    )


def resolve_commit(repo: Repository, rev: str) -> str:
    """The commit id *rev* names in *repo*; a GitError names the revision when it is unknown."""
    if rev.startswith("-"):
        raise GitError(f"{repo.root}: {rev!r} is not a revision")
    proc = run_git(
        repo.root,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        rev + "^{commit}",
        check=False,
    )
    if proc.returncode != 0:
        raise GitError(f"{repo.root}: unknown revision {rev!r}: fetch it or name another one")
    return proc.stdout.decode("ascii").strip()


@dataclass(frozen=True)
class Selection:
    """Which history to read. ``revs`` are rev-list arguments (default: every ref)."""

    revs: tuple[str, ...] = ("--all",)
    unreachable: bool = False


@dataclass(frozen=True)
class Blob:
    """One blob of the stream. Exactly one of ``data`` and ``read`` is set."""

    oid: str
    size: int
    path: str  # the first path git met the blob under ("" when unknown)
    data: bytes | None
    read: Callable[[int], bytes] | None


class BlobStream:
    """The blobs of *selection*; ``errors`` lists what could not be read.

    Iterate it for one stream, or call :meth:`scan` to read with several ``cat-file``
    processes (the visitor is then called from their reader threads). A blob's ``read``
    is valid only until the visitor returns or the next blob is requested. Blob ids in
    *skip* (a scan cache) are left out before their contents are read.
    """

    def __init__(self, repo: Repository, selection: Selection, skip: Collection[str] = ()) -> None:
        self.repo = repo
        self.selection = selection
        self.skip = skip
        self.errors: list[str] = []
        self.skipped = 0

    def __iter__(self) -> Iterator[Blob]:
        if self.selection.unreachable or self.skip:
            yield from self._run(self._listing())
            return
        # rev-list piped straight into cat-file (an OS pipe, no Python in between), so
        # git walks the history while cat-file already inflates the first blobs.
        failed_at = yield from self._attempt(None)
        if failed_at is not None:
            listing = self._listing(report=False)
            yield from self._run(listing[_line_offset(listing, failed_at + 1) :])

    def scan(self, visit: Callable[[Blob], None], streams: int = 1) -> None:
        """Call *visit* on every blob, reading with up to *streams* ``cat-file`` processes."""
        if streams <= 1:
            for blob in self:
                visit(blob)
            return
        chunks = _split(self._listing(), streams)
        failures: list[BaseException] = []

        def work(chunk: bytes) -> None:
            try:
                for blob in self._run(chunk):
                    visit(blob)
            except BaseException as exc:  # re-raised in the calling thread below
                failures.append(exc)

        threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in chunks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]

    def _listing(self, *, report: bool = True) -> bytes:
        """One line per object to read, in the order to read them."""
        root = self.repo.root
        if self.selection.unreachable:
            what = "cat-file"
            proc = run_git(
                root,
                "cat-file",
                "--batch-all-objects",
                "--unordered",
                "--batch-check=%(objectname) %(objecttype)",
                check=False,
            )
            listing = b"".join(
                line[:-5] + b"\n" for line in proc.stdout.splitlines() if line.endswith(b" blob")
            )
        else:
            what = "rev-list"
            proc = run_git(
                root,
                "rev-list",
                "--objects",
                "--filter=object:type=blob",
                *self.selection.revs,
                "--",
                check=False,
            )
            listing = proc.stdout
        if proc.returncode != 0 and report:
            self.errors.append(f"git {what}: {first_line(proc.stderr)}")
        if self.skip:
            listing = self._without_skipped(listing)
        return listing

    def _without_skipped(self, listing: bytes) -> bytes:
        skip, kept = self.skip, []
        for line in listing.splitlines(keepends=True):
            end = line.find(b" ")
            oid = (line[:end] if end != -1 else line.rstrip(b"\n")).decode("ascii", "replace")
            if oid in skip:
                self.skipped += 1
            else:
                kept.append(line)
        return b"".join(kept)

    def _run(self, chunk: bytes) -> Iterator[Blob]:
        """Read the objects of *chunk* (listing lines) through one ``cat-file --batch``."""
        for _ in range(_MAX_RESTARTS + 1):
            if not chunk:
                return
            failed_at = yield from self._attempt(chunk)
            if failed_at is None:
                return
            # cat-file stops at the first object it cannot read. Start again just past it,
            # so one corrupt object costs one object, not the rest of the repository.
            chunk = chunk[_line_offset(chunk, failed_at + 1) :]
        self.errors.append(f"gave up after {_MAX_RESTARTS} unreadable objects")

    def _attempt(self, chunk: bytes | None) -> Generator[Blob, None, int | None]:
        """One ``cat-file`` run over *chunk*, or over rev-list's output when None.

        Returns the index of the listing line cat-file failed on, or None.
        """
        root = self.repo.root
        with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as list_err:
            lister = feeder = None
            if chunk is None:
                lister = popen_git(
                    root,
                    [
                        "rev-list",
                        "--objects",
                        "--filter=object:type=blob",
                        *self.selection.revs,
                        "--",
                    ],
                    stdin=subprocess.DEVNULL,
                    stderr=list_err,
                )
                assert lister.stdout is not None
                cat = popen_git(
                    root,
                    [*_CAT_FILE_CONFIG, "cat-file", f"--batch={_FORMAT}"],
                    stdin=lister.stdout,
                    stderr=err,
                )
                lister.stdout.close()
            else:
                cat = popen_git(
                    root,
                    [*_CAT_FILE_CONFIG, "cat-file", f"--batch={_FORMAT}"],
                    stdin=subprocess.PIPE,
                    stderr=err,
                )
                assert cat.stdin is not None
                feeder = threading.Thread(target=_write_all, args=(cat.stdin, chunk), daemon=True)
                feeder.start()
            assert cat.stdout is not None
            reader = _Reader(self)
            try:
                yield from reader.blobs(cat.stdout)
            finally:
                # Closing our end first lets a cat-file still writing (a consumer that
                # stopped early) exit on SIGPIPE instead of blocking; rev-list follows.
                cat.stdout.close()
                cat.wait()
                if feeder is not None:
                    feeder.join()
                if lister is not None:
                    lister.wait()
            if lister is not None:
                self._failed(lister, list_err, "rev-list")
            failed = self._failed(cat, err, "cat-file")
            if reader.cut_short is not None and not failed:
                self.errors.append(f"git cat-file: blob {reader.cut_oid} was cut short")
            if reader.cut_short is not None:
                return reader.cut_short
            return reader.answered if failed else None

    def _failed(self, proc: subprocess.Popen[bytes], err: IO[bytes], what: str) -> bool:
        """Record a failure of *proc*; True when it failed."""
        err.seek(0)
        stderr = err.read()
        if proc.returncode < 0:
            return False  # ended by SIGPIPE: we stopped reading on purpose
        if proc.returncode == 0 and b"fatal:" not in stderr:
            return False
        self.errors.append(f"git {what}: {first_line(stderr)}")
        return True


def _write_all(sink: IO[bytes], data: bytes) -> None:
    try:
        view = memoryview(data)
        for start in range(0, len(data), _CHUNK):
            sink.write(view[start : start + _CHUNK])
    except (BrokenPipeError, ValueError):
        pass  # cat-file went away (or we closed it): the reader reports why
    finally:
        with contextlib.suppress(BrokenPipeError):
            sink.close()


def _split(listing: bytes, parts: int) -> list[bytes]:
    """*listing* cut at line ends into up to *parts* contiguous pieces of similar size."""
    if parts <= 1 or len(listing) < SPLIT_MIN:
        return [listing]
    out, start = [], 0
    for i in range(1, parts):
        cut = listing.find(b"\n", len(listing) * i // parts)
        if cut == -1:
            break
        out.append(listing[start : cut + 1])
        start = cut + 1
    out.append(listing[start:])
    return [piece for piece in out if piece]


def _line_offset(chunk: bytes, line: int) -> int:
    """The offset at which line number *line* (from 0) of *chunk* starts."""
    offset = 0
    for _ in range(line):
        offset = chunk.find(b"\n", offset) + 1
        if offset == 0:
            return len(chunk)
    return offset


class _Reader:
    """Parses cat-file's output into blobs for one run."""

    def __init__(self, stream: BlobStream) -> None:
        self.stream = stream
        self.answered = 0  # listing lines cat-file has answered
        self.cut_short: int | None = None
        self.cut_oid = ""

    def blobs(self, out: IO[bytes]) -> Iterator[Blob]:
        stream = self.stream
        readline, read = out.readline, out.read
        while True:
            header = readline()
            if not header:
                return
            self.answered += 1
            parts = header.rstrip(b"\n").split(b" ", 3)
            if len(parts) < 3 or parts[1] in (b"missing", b"ambiguous"):
                stream.errors.append(f"object {parts[0].decode('ascii', 'replace')} is missing")
                continue
            oid, kind, size = parts[0].decode("ascii"), parts[1], int(parts[2])
            if kind != b"blob":  # rev-list lists a commit now and then despite its filter
                _discard(read, size + 1)
            elif size <= WHOLE_BLOB_LIMIT:
                data = read(size)
                if len(data) < size:
                    self.cut_short, self.cut_oid = self.answered - 1, oid
                    return
                read(1)
                yield Blob(oid, size, _path(parts), data, None)
            else:
                bounded = _Bounded(read, size)
                yield Blob(oid, size, _path(parts), None, bounded)
                _discard(read, bounded.remaining)
                read(1)


def _path(parts: list[bytes]) -> str:
    return parts[3].decode("utf-8", "surrogateescape") if len(parts) > 3 else ""


class _Bounded:
    """``read(n)`` over the next *size* bytes of a stream, for blobs too big to hold."""

    def __init__(self, read: Callable[[int], bytes], size: int) -> None:
        self._read = read
        self.remaining = size

    def __call__(self, n: int) -> bytes:
        n = min(n, self.remaining, _CHUNK)
        if n <= 0:
            return b""
        data = self._read(n)
        self.remaining -= len(data)
        return data


def _discard(read: Callable[[int], bytes], n: int) -> None:
    while n > 0:
        got = len(read(min(n, _CHUNK)))
        if not got:
            return
        n -= got
