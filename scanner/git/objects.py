"""Every blob of a repository, each exactly once, streamed through ``git cat-file --batch``.

The blobs to read are listed first, in pack order: ``cat-file --batch-all-objects
--unordered`` lists the object store as it lies on disk, and for reachable history
(every ref, or ``--since``/``--ref`` ranges) that list is narrowed to the blobs
``git rev-list --objects`` reaches, whose first path rides along as ``%(rest)``.
``--unreachable`` keeps every blob, adding dangling and reflog-only objects such as the
blobs of amended or reset commits. The list is then fed to one persistent
``git cat-file --batch`` per stream and contents come back in one sequential read.

Inflating objects is the whole cost of a sweep, and the order decides it: on the
benchmark's 592 MB history, cat-file spent 3.2 s of CPU in pack order against 6.3 s in
rev-list order (delta bases are met before their deltas and stay cached), and 30 s in
object-name order (``--batch-all-objects`` without ``--unordered``). A large listing
can be read by several ``cat-file`` processes at once, each over a contiguous share.

GitPython's object database wraps the same ``cat-file --batch`` but pays a
write/flush/read round trip per object, in the order asked: 2.4x slower on that history.
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import threading
from collections.abc import Callable, Collection, Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import IO

from scanner.git.command import first_line, popen_git, run_git
from scanner.git.repository import Repository

#: Blobs up to this size are read whole; larger ones are streamed in chunks.
WHOLE_BLOB_LIMIT = 32 * 1024 * 1024
_CHUNK = 8 * 1024 * 1024
_MAX_RESTARTS = 16
#: Listings shorter than this (about a thousand objects) are not worth a second stream.
SPLIT_MIN = 64 * 1024
_FORMAT = "%(objectname) %(objecttype) %(objectsize) %(rest)"
#: Read in pack order, cat-file gains nothing from a delta base cache over 64 MB (measured),
#: and bounded pack windows keep a big pack from adding its whole size to the resident set:
#: 141 MB peak on a 592 MB history against 280 MB with git's defaults. The windows are small
#: (1 MB): with two 32 MB windows, a 249 MB pack of 113,552 blobs (a real web shop) took
#: 6.9 s to read against 3.7 s with git's defaults, remapping for every far delta base;
#: 1 MB windows took 4.1 s at 165 MB peak.
#: Paths ride along for listings up to this many blobs; beyond, memory matters more (the
#: attribution pass still names the path of every blob that held a key).
PATHS_UPTO = 300_000
_CAT_FILE_CONFIG = (
    "-c",
    "core.deltaBaseCacheLimit=64m",
    "-c",
    "core.packedGitWindowSize=1m",
    "-c",
    "core.packedGitLimit=64m",
)


@dataclass(frozen=True)
class Selection:
    """Which history to read. ``revs`` are rev-list arguments (default: every ref);
    *blobs*, when given, are the blobs to read (id -> path) as the caller listed them,
    with no listing of the repository's own."""

    revs: tuple[str, ...] = ("--all",)
    unreachable: bool = False
    blobs: Mapping[str, str] | None = None


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
        #: Objects history names that the object store lacks (a partial clone, a snapshot).
        self.missing = 0

    def __iter__(self) -> Iterator[Blob]:
        yield from self._run(self._listing())

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

    def _listing(self) -> bytes:
        """One line per blob to read (``oid [path]``), in pack order."""
        if self.selection.blobs is not None:
            given = self.selection.blobs.items()
            listed = [f"{oid} {path}\n".encode("utf-8", "surrogateescape") for oid, path in given]
            return b"".join(self._without_skipped(listed) if self.skip else listed)
        root = self.repo.root
        stored = run_git(
            root,
            *_CAT_FILE_CONFIG,  # the same bounded pack windows: 79 MB instead of 236 MB
            "cat-file",
            "--batch-all-objects",
            "--unordered",
            "--batch-check=%(objectname) %(objecttype)",
            check=False,
        )
        if stored.returncode != 0:
            self.errors.append(f"git cat-file: {first_line(stored.stderr)}")
        blobs = [line[:-5] for line in stored.stdout.splitlines() if line.endswith(b" blob")]
        del stored
        if self.selection.unreachable:
            lines = [oid + b"\n" for oid in blobs]
        else:
            lines = self._reachable(blobs)
        if self.skip:
            lines = self._without_skipped(lines)
        return b"".join(lines)

    def _reachable(self, blobs: list[bytes]) -> list[bytes]:
        """*blobs* (in pack order) narrowed to those rev-list reaches, with their paths."""
        listed = run_git(
            self.repo.root,
            *_CAT_FILE_CONFIG,  # bounded pack windows: 159 MB instead of 287 MB, as fast
            "rev-list",
            "--objects",
            "--filter=object:type=blob",
            # A partial clone or a snapshot lacks some objects: list them (``?oid``) and
            # go on, instead of stopping the walk at the first one.
            "--missing=print",
            *self.selection.revs,
            "--",
            check=False,
        )
        if listed.returncode != 0:
            self.errors.append(f"git rev-list: {first_line(listed.stderr)}")
        rows = listed.stdout.split(b"\n")
        missing = sum(1 for row in rows if row.startswith(b"?"))
        if missing:
            self.missing += missing
            rows = [row for row in rows if not row.startswith(b"?")]
        if len(rows) <= PATHS_UPTO:
            paths = dict(row.partition(b" ")[::2] for row in rows if row)
            return [oid + b" " + paths[oid] + b"\n" for oid in blobs if oid in paths]
        # Binary ids halve the memory of a million-blob set; paths are left to attribution.
        reachable = {bytes.fromhex(row[: row.find(b" ")].decode()) for row in rows if b" " in row}
        del rows, listed
        return [oid + b"\n" for oid in blobs if bytes.fromhex(oid.decode()) in reachable]

    def _without_skipped(self, lines: list[bytes]) -> list[bytes]:
        skip, kept = self.skip, []
        for line in lines:
            end = line.find(b" ")
            oid = (line[:end] if end != -1 else line.rstrip(b"\n")).decode("ascii", "replace")
            if oid in skip:
                self.skipped += 1
            else:
                kept.append(line)
        return kept

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

    def _attempt(self, chunk: bytes) -> Generator[Blob, None, int | None]:
        """One ``cat-file`` run over *chunk*: the index of the line it failed on, or None."""
        with tempfile.TemporaryFile() as err:
            cat = popen_git(
                self.repo.root,
                [*_CAT_FILE_CONFIG, "cat-file", f"--batch={_FORMAT}"],
                stdin=subprocess.PIPE,
                stderr=err,
            )
            assert cat.stdin is not None
            assert cat.stdout is not None
            feeder = threading.Thread(target=_write_all, args=(cat.stdin, chunk), daemon=True)
            feeder.start()
            reader = _Reader(self)
            try:
                yield from reader.blobs(cat.stdout)
            finally:
                # Closing our end first lets a cat-file still writing (a consumer that
                # stopped early) exit on SIGPIPE instead of blocking.
                cat.stdout.close()
                cat.wait()
                feeder.join()
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
            if kind != b"blob":  # only blobs are listed; anything else is passed over
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
