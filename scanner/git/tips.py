"""A repository's refs and HEAD read in-process, and whether it changed since a sweep.

Asking costs no git process, which matters when a warm fleet sweep asks it of hundreds of
mirrors. (GitPython lists refs without git too, but resolving each one starts a
``cat-file`` and reads ``packed-refs`` once per ref.) Loose refs override packed ones, as
git reads them; a ref git would not read (a broken file) makes the answer None: "sweep".
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

_HEX = frozenset("0123456789abcdef")


def _oid(text: str) -> bool:
    return len(text) in (40, 64) and set(text) <= _HEX


def git_dir(path: Path) -> Path | None:
    """The git directory of the repository at *path* (a bare one, or a work tree's .git)."""
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return path
    dot = path / ".git"
    if dot.is_dir():
        return dot
    if dot.is_file():  # a linked work tree or a submodule: "gitdir: <path>"
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir: "):
            return (path / text[len("gitdir: ") :]).resolve()
    return None


def read_refs(directory: Path) -> dict[str, str] | None:
    """Every ref of the git directory *directory* (name -> object id), or None."""
    refs: dict[str, str] = {}
    try:
        packed = (directory / "packed-refs").read_text(encoding="utf-8", errors="surrogateescape")
    except FileNotFoundError:
        packed = ""
    except OSError:
        return None
    for line in packed.splitlines():
        if not line or line[0] in "#^":
            continue
        oid, _, name = line.partition(" ")
        if _oid(oid) and name:
            refs[name] = oid
    root = directory / "refs"
    for folder, _dirs, files in os.walk(root):
        for file in files:
            if file.endswith(".lock"):
                continue
            ref = Path(folder, file)
            try:
                value = ref.read_text(encoding="utf-8", errors="surrogateescape").strip()
            except OSError:
                return None
            if not _oid(value):
                return None  # a symbolic ref below refs/ (rare) or a torn write: ask git
            refs[ref.relative_to(directory).as_posix()] = value
    return refs


def ref_state(path: Path) -> str | None:
    """A digest of every ref and of HEAD at *path*; None when *path* is no repository."""
    directory = git_dir(path)
    if directory is None:
        return None
    common = directory
    with contextlib.suppress(OSError):  # a linked work tree keeps its refs in the common dir
        common = (directory / (directory / "commondir").read_text().strip()).resolve()
    refs = read_refs(common)
    if refs is None:
        return None
    try:
        head = (directory / "HEAD").read_text(encoding="utf-8", errors="surrogateescape").strip()
    except OSError:
        return None
    lines = [f"HEAD {head}", *sorted(f"{name} {oid}" for name, oid in refs.items())]
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()
