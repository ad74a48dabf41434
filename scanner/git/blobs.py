"""Named blobs read back one at a time through one ``git cat-file --batch``.

A sweep reads every blob once, in pack order (:mod:`scanner.git.objects`); reading back
the few blobs a report names (``keyguard triage`` getting keys back) needs the opposite:
a handful of ids, asked in turn, answered at once. One persistent process per repository
answers each id without a process start per blob.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from pathlib import Path
from types import TracebackType

from scanner.git.command import GitError, popen_git

_OID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class BlobReader:
    """``read(oid)`` for one repository; a blob it does not hold is None, never an error.

    Use it as a context manager: the ``cat-file`` process ends with the block.
    """

    def __init__(self, repository: Path) -> None:
        self.repository = repository
        self._proc: subprocess.Popen[bytes] | None = None
        self._broken = False

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        assert proc.stdout is not None
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):  # a cat-file that already exited: a broken pipe
                stream.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _process(self) -> subprocess.Popen[bytes] | None:
        if self._proc is None and not self._broken:
            if not self.repository.is_dir():
                self._broken = True
                return None
            try:
                self._proc = popen_git(
                    self.repository,
                    ["cat-file", "--batch"],
                    stdin=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except GitError:
                self._broken = True
        return self._proc

    def read(self, oid: str) -> bytes | None:
        """The blob *oid*, or None when the repository is gone or does not hold it."""
        if not _OID.fullmatch(oid):
            return None
        proc = self._process()
        if proc is None:
            return None
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            proc.stdin.write(oid.encode("ascii") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline().split()
        except OSError:  # not a repository: cat-file has exited
            self._broken = True
            self.close()
            return None
        if len(header) != 3:
            if not header:  # cat-file ended (not a repository, or it failed)
                self._broken = True
                self.close()
            return None  # "<oid> missing"
        size = int(header[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # the newline after the contents
        return data if header[1] == b"blob" else None
