"""Every blob of a repository, each exactly once, streamed through one ``git cat-file``.

Reachable blobs come from ``git rev-list --objects`` piped straight (an OS pipe, no
Python in between) into one persistent ``git cat-file --batch``: git walks the history
once, the first path it met each blob under rides along as ``%(rest)``, and contents
stream back in one sequential read. GitPython's object database wraps the same
``cat-file --batch`` but pays a write/flush/read round trip per object, which the
benchmark measured several times slower than this pipeline.

``--unreachable`` reads the whole object store instead
(``cat-file --batch-all-objects --unordered``, in pack order), which adds dangling and
reflog-only objects such as the blobs of amended or reset commits.
"""

from __future__ import annotations

import contextlib
import queue
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
_FORMAT = "%(objectname) %(objecttype) %(objectsize) %(rest)"


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
    """Iterate the blobs of *selection*; ``errors`` lists what could not be read.

    A blob's ``read`` is valid only until the next blob is requested. Blob ids in
    *skip* (a scan cache) are left out before their contents are read where the
    pipeline allows it, and otherwise skipped after.
    """

    def __init__(self, repo: Repository, selection: Selection, skip: Collection[str] = ()) -> None:
        self.repo = repo
        self.selection = selection
        self.skip = skip
        self.errors: list[str] = []
        self.skipped = 0

    def __iter__(self) -> Iterator[Blob]:
        resume = 0
        for _ in range(_MAX_RESTARTS + 1):
            failed_at = yield from self._attempt(resume)
            if failed_at is None:
                return
            # cat-file stops at the first object it cannot read. Start again just past it,
            # so one corrupt object costs one object, not the rest of the repository.
            resume = failed_at + 1
        self.errors.append(f"gave up after {_MAX_RESTARTS} unreadable objects")

    def _attempt(self, resume: int) -> Generator[Blob, None, int | None]:
        """One pipeline run from lister line *resume*; the line it failed at, or None."""
        with tempfile.TemporaryFile() as list_err, tempfile.TemporaryFile() as cat_err:
            lister, cat, feeder = self._start(list_err, cat_err, resume)
            reader = _Reader(self, feeder, resume)
            try:
                assert cat.stdout is not None
                yield from reader.blobs(cat.stdout)
            finally:
                # Closing our end first lets a git still writing (a consumer that stopped
                # early) exit on SIGPIPE instead of blocking; the lister's stdout belongs to
                # cat-file or to the feeder thread, which closes it.
                assert cat.stdout is not None
                cat.stdout.close()
                cat.wait()
                if feeder is not None:
                    feeder.join()
                if lister is not None:
                    lister.wait()
            if feeder is not None:
                self.skipped += feeder.skipped
            self._collect(lister, list_err, "rev-list")
            cat_failed = self._collect(cat, cat_err, "cat-file")
            if reader.cut_short is not None and not cat_failed:
                self.errors.append(f"git cat-file: blob {reader.cut_oid} was cut short")
            return reader.failed_at() if cat_failed or reader.cut_short is not None else None

    def _start(
        self, list_err: IO[bytes], cat_err: IO[bytes], resume: int
    ) -> tuple[subprocess.Popen[bytes] | None, subprocess.Popen[bytes], _Feeder | None]:
        root = self.repo.root
        batch = ["cat-file", f"--batch={_FORMAT}"]
        if self.selection.unreachable and resume == 0:
            args = ["cat-file", "--batch-all-objects", "--unordered", f"--batch={_FORMAT}"]
            return None, popen_git(root, args, stdin=subprocess.DEVNULL, stderr=cat_err), None
        if self.selection.unreachable:
            # The same pack order as --batch-all-objects --batch, as a list to resume in.
            list_args = [
                "cat-file",
                "--batch-all-objects",
                "--unordered",
                "--batch-check=%(objectname)",
            ]
        else:
            list_args = [
                "rev-list",
                "--objects",
                "--filter=object:type=blob",
                *self.selection.revs,
                "--",
            ]
        lister = popen_git(root, list_args, stdin=subprocess.DEVNULL, stderr=list_err)
        assert lister.stdout is not None
        if not self.skip and resume == 0:
            # git to git through an OS pipe: no Python on the hot path.
            cat = popen_git(root, batch, stdin=lister.stdout, stderr=cat_err)
            lister.stdout.close()
            return lister, cat, None
        cat = popen_git(root, batch, stdin=subprocess.PIPE, stderr=cat_err)
        assert cat.stdin is not None
        feeder = _Feeder(lister.stdout, cat.stdin, self.skip, resume)
        feeder.start()
        return lister, cat, feeder

    def _collect(self, proc: subprocess.Popen[bytes] | None, err: IO[bytes], what: str) -> bool:
        """Record a failure of *proc*; True when it failed."""
        if proc is None:
            return False
        err.seek(0)
        stderr = err.read()
        if proc.returncode == 0 and b"fatal:" not in stderr:
            return False
        if proc.returncode < 0:
            return False  # ended by SIGPIPE: we stopped reading on purpose
        self.errors.append(f"git {what}: {first_line(stderr)}")
        return True


class _Feeder(threading.Thread):
    """Copies lister lines to cat-file, leaving out cached ids and the first *resume* lines.

    ``order`` receives the lister line number of every line sent, so the reader can tell
    which line cat-file failed on.
    """

    def __init__(
        self, source: IO[bytes], sink: IO[bytes], skip: Collection[str], resume: int
    ) -> None:
        super().__init__(daemon=True)
        self.source, self.sink, self.skip, self.resume = source, sink, skip, resume
        self.order: queue.SimpleQueue[int] = queue.SimpleQueue()
        self.skipped = 0

    def run(self) -> None:
        skip, order = self.skip, self.order
        try:
            for number, line in enumerate(self.source):
                if number < self.resume:
                    continue
                end = line.find(b" ")
                oid = (line[:end] if end != -1 else line.rstrip(b"\n")).decode("ascii", "replace")
                if oid in skip:
                    self.skipped += 1
                    continue
                order.put(number)
                self.sink.write(line)
        except (BrokenPipeError, ValueError):
            pass  # cat-file went away (or we closed its pipe): the reader reports why
        finally:
            self.source.close()
            with contextlib.suppress(BrokenPipeError):
                self.sink.close()


class _Reader:
    """Parses cat-file's output into blobs for one pipeline run."""

    def __init__(self, stream: BlobStream, feeder: _Feeder | None, resume: int) -> None:
        self.stream = stream
        self.feeder = feeder
        self.next_number = resume  # lister line of the next answer, without a feeder
        self.cut_short: int | None = None
        self.cut_oid = ""

    def number(self) -> int:
        """The lister line number of the answer just read."""
        if self.feeder is None:
            self.next_number += 1
            return self.next_number - 1
        return self.feeder.order.get(timeout=60)  # sent before cat-file could answer it

    def failed_at(self) -> int | None:
        """The line cat-file stopped on: cut short, or the first one it never answered."""
        if self.cut_short is not None:
            return self.cut_short
        if self.feeder is None:
            return self.next_number
        try:
            return self.feeder.order.get_nowait()
        except queue.Empty:
            return None

    def blobs(self, out: IO[bytes]) -> Iterator[Blob]:
        stream = self.stream
        readline, read = out.readline, out.read
        skip = stream.skip if stream.selection.unreachable else ()
        while True:
            header = readline()
            if not header:
                return
            number = self.number()
            parts = header.rstrip(b"\n").split(b" ", 3)
            if len(parts) < 3 or parts[1] in (b"missing", b"ambiguous"):
                stream.errors.append(f"object {parts[0].decode('ascii', 'replace')} is missing")
                continue
            oid, kind, size = parts[0].decode("ascii"), parts[1], int(parts[2])
            if kind != b"blob" or oid in skip:
                if kind == b"blob":
                    stream.skipped += 1
                _discard(read, size + 1)
            elif size <= WHOLE_BLOB_LIMIT:
                data = read(size)
                if len(data) < size:
                    self.cut_short, self.cut_oid = number, oid
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
