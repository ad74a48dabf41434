"""The staged content of a git index: what the next commit will contain, not the work tree."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plugins.errors import ErrorKind, KeyguardError

_BLOB_MODES = {b"100644", b"100755"}


class NotARepository(KeyguardError):
    kind = ErrorKind.USAGE


@dataclass(frozen=True)
class StagedBlob:
    path: str
    data: bytes


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False
        )
    except OSError as exc:
        raise NotARepository(
            f"cannot run git ({exc.strerror})", kind=ErrorKind.STAGED_WITHOUT_GIT
        ) from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NotARepository(
            f"{repo}: not a git work tree ({message[0] if message else 'git failed'})",
            kind=ErrorKind.STAGED_OUTSIDE_WORK_TREE,
        )
    return proc.stdout


def _check_work_tree(repo: Path) -> None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--is-inside-work-tree"],
            capture_output=True,
            check=False,
        )
    except OSError as exc:
        raise NotARepository(
            f"cannot run git ({exc.strerror})", kind=ErrorKind.STAGED_WITHOUT_GIT
        ) from None
    if proc.returncode != 0 or proc.stdout.strip() != b"true":
        raise NotARepository(
            f"{repo}: not a git work tree", kind=ErrorKind.STAGED_OUTSIDE_WORK_TREE
        )


def _staged_entries(repo: Path, pathspec: str) -> list[tuple[str, str]]:
    """(path, blob id) of every added/copied/modified/renamed regular file in the index."""
    raw = _git(
        repo,
        "diff",
        "--cached",
        "--raw",
        "-z",
        "--no-abbrev",
        "--no-renames",
        "--diff-filter=d",
        "--no-ext-diff",
        "--",
        pathspec,
    )
    fields = raw.split(b"\0")
    entries = []
    # -z --raw: ":<old mode> <new mode> <old id> <new id> <status>\0<path>\0"
    for header, path in zip(fields[0::2], fields[1::2], strict=False):
        if not header.startswith(b":"):
            continue
        _, new_mode, _, new_id, _ = header[1:].split(b" ")
        if new_mode in _BLOB_MODES:
            entries.append((os.fsdecode(path), new_id.decode("ascii")))
    return entries


def iter_staged(path: Path) -> Iterator[StagedBlob]:
    """Staged blobs under *path* (a work tree, a directory or a file in one), read through
    one ``git cat-file --batch``. Paths are reported relative to the work tree's root."""
    repo, pathspec = (path, ".") if path.is_dir() else (path.parent, path.name)
    if not repo.is_dir():
        raise NotARepository(f"{path}: no such file or directory")
    _check_work_tree(repo)
    entries = _staged_entries(repo, pathspec)
    if not entries:
        return
    out = _git(repo, "cat-file", "--batch", stdin="".join(f"{i}\n" for _, i in entries).encode())
    pos = 0
    for name, _ in entries:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split(b" ")[2])
        start = header_end + 1
        yield StagedBlob(name, out[start : start + size])
        pos = start + size + 1
