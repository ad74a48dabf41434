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
import subprocess
import tempfile
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scanner.gitcmd import GitError, first_line, popen_git, run_git

#: Blobs up to this size are read whole; larger ones are streamed in chunks.
WHOLE_BLOB_LIMIT = 32 * 1024 * 1024
_CHUNK = 8 * 1024 * 1024
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
        with tempfile.TemporaryFile() as list_err, tempfile.TemporaryFile() as cat_err:
            lister, cat, feeder = self._start(list_err, cat_err)
            try:
                assert cat.stdout is not None
                yield from self._read(cat.stdout)
            finally:
                for proc in (lister, cat):
                    if proc is not None and proc.poll() is None and proc.stdout is not None:
                        proc.stdout.close()  # a consumer that stopped early: let git exit
                for proc in (lister, cat):
                    if proc is not None:
                        proc.wait()
                if feeder is not None:
                    feeder.join()
            self._collect(lister, list_err, "rev-list")
            self._collect(cat, cat_err, "cat-file")

    def _start(
        self, list_err: IO[bytes], cat_err: IO[bytes]
    ) -> tuple[subprocess.Popen[bytes] | None, subprocess.Popen[bytes], threading.Thread | None]:
        root = self.repo.root
        if self.selection.unreachable:
            args = ["cat-file", "--batch-all-objects", "--unordered", f"--batch={_FORMAT}"]
            return None, popen_git(root, args, stdin=subprocess.DEVNULL, stderr=cat_err), None
        lister = popen_git(
            root,
            ["rev-list", "--objects", "--filter=object:type=blob", *self.selection.revs, "--"],
            stdin=subprocess.DEVNULL,
            stderr=list_err,
        )
        assert lister.stdout is not None
        if not self.skip:
            # git to git through an OS pipe: no Python on the hot path.
            cat = popen_git(
                root, ["cat-file", f"--batch={_FORMAT}"], stdin=lister.stdout, stderr=cat_err
            )
            lister.stdout.close()
            return lister, cat, None
        cat = popen_git(
            root, ["cat-file", f"--batch={_FORMAT}"], stdin=subprocess.PIPE, stderr=cat_err
        )
        feeder = threading.Thread(target=self._feed, args=(lister.stdout, cat.stdin), daemon=True)
        feeder.start()
        return lister, cat, feeder

    def _feed(self, source: IO[bytes], sink: IO[bytes] | None) -> None:
        """Copy rev-list's lines to cat-file, leaving out cached blob ids."""
        assert sink is not None
        skip = self.skip
        try:
            for line in source:
                oid = line[: line.find(b" ")] if b" " in line else line.rstrip(b"\n")
                if oid.decode("ascii", "replace") in skip:
                    self.skipped += 1
                    continue
                sink.write(line)
        except BrokenPipeError:
            pass
        finally:
            source.close()
            with contextlib.suppress(BrokenPipeError):
                sink.close()

    def _read(self, out: IO[bytes]) -> Iterator[Blob]:
        readline, read = out.readline, out.read
        skip = self.skip if self.selection.unreachable else ()
        while True:
            header = readline()
            if not header:
                return
            parts = header.rstrip(b"\n").split(b" ", 3)
            if len(parts) < 3 or parts[1] == b"missing" or parts[1] == b"ambiguous":
                self.errors.append(f"object {parts[0].decode('ascii', 'replace')} is missing")
                continue
            oid, kind, size = parts[0].decode("ascii"), parts[1], int(parts[2])
            if kind != b"blob" or oid in skip:
                if kind == b"blob":
                    self.skipped += 1
                _discard(read, size + 1)
                continue
            path = parts[3].decode("utf-8", "surrogateescape") if len(parts) > 3 else ""
            if size <= WHOLE_BLOB_LIMIT:
                data = read(size)
                if len(data) < size:
                    self.errors.append(f"blob {oid} was cut short")
                    return
                read(1)
                yield Blob(oid, size, path, data, None)
            else:
                reader = _Bounded(read, size)
                yield Blob(oid, size, path, None, reader)
                _discard(read, reader.remaining)
                read(1)

    def _collect(self, proc: subprocess.Popen[bytes] | None, err: IO[bytes], what: str) -> None:
        if proc is None:
            return
        err.seek(0)
        stderr = err.read()
        if proc.returncode not in (0, None) and proc.returncode >= 0:
            self.errors.append(f"git {what} failed: {first_line(stderr)}")
        elif proc.returncode == 0 and b"fatal:" in stderr:
            self.errors.append(f"git {what}: {first_line(stderr)}")


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
