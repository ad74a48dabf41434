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
    loose = _loose_refs(os.path.join(directory, "refs"), "refs/")
    if loose is None:
        return None
    refs.update(loose)
    return refs


def _loose_refs(folder: str, prefix: str) -> dict[str, str] | None:
    """The loose refs below *folder*, named from *prefix*; plain strings, not paths: a
    mirror fetched for the first time holds a file per ref (thousands of pull requests)."""
    found: dict[str, str] = {}
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return found
    except OSError:
        return None
    for entry in entries:
        name = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            below = _loose_refs(entry.path, name + "/")
            if below is None:
                return None
            found.update(below)
            continue
        if entry.name.endswith(".lock"):
            continue
        try:
            with open(entry.path, encoding="utf-8", errors="surrogateescape") as handle:
                value = handle.read(128).strip()
        except OSError:
            return None
        if not _oid(value):
            return None  # a symbolic ref below refs/ (rare) or a torn write: ask git
        found[name] = value
    return found


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
