"""A finished sweep's keys found again from where it said they were, with one git process;
and what history is new since it.

A record or checkpoint holds where each key was (path, line, column, blob, commit; never
the key). Reading only those blobs (one ``cat-file --batch``) and detecting in them again
gives back each occurrence's key; attribution is not redone, the recorded provenance is.
Anything that does not come out exactly as recorded (a blob gone, a key not found at its
place) answers None, and the caller sweeps the repository instead.

When the refs moved, :func:`new_blobs` tells which blobs the last sweep never met (one
``rev-list`` of every ref against the commits the refs named then) and
:func:`still_reached` whether history was only added to: a sweep of a mirror with one new
commit then reads that commit's blobs and the few that held keys, and lists nothing else.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from scanner.detect.engine import detect_bytes
from scanner.detect.options import DetectOptions
from scanner.findings import Occurrence
from scanner.git.command import git_argv, git_env
from scanner.git.objects import WHOLE_BLOB_LIMIT
from scanner.git.worktree import Hit

_MEMBER = "!/"  # how a path names a member of an archive


def key_hits(
    repository: Path, places: Sequence[Occurrence], detect: DetectOptions
) -> tuple[Hit, ...] | None:
    """*places* with their keys, read again from *repository*'s blobs; None when not all."""
    if not places or any(o.provenance is None for o in places):
        return None
    blobs = _read(repository, sorted({o.provenance.blob for o in places if o.provenance}))
    if blobs is None:
        return None
    found: dict[tuple[str, str], list[Hit]] = {}
    out: list[Hit] = []
    for place in places:
        assert place.provenance is not None
        base = place.path.split(_MEMBER, 1)[0]
        where = (place.provenance.blob, base)
        if where not in found:
            found[where] = list(detect_bytes(base, blobs[where[0]], options=detect).hits)
        secret = next(
            (
                s
                for s, seen in found[where]
                if dataclasses.replace(seen, provenance=place.provenance) == place
            ),
            None,
        )
        if secret is None:
            return None
        out.append((secret, place))
    return tuple(out)


def new_blobs(repository: Path, tips: Iterable[str]) -> dict[str, str] | None:
    """The blobs every ref of *repository* reaches and none of the commits *tips* did (a
    last sweep's), each with a path it has there (id -> path), with one ``rev-list``;
    None when git cannot tell (a tip is gone)."""
    listed = _rev_list(
        repository,
        ("--objects", "--filter=object:type=blob", "--all"),
        "".join(f"^{tip}\n" for tip in tips),
    )
    if listed is None:
        return None
    blobs: dict[str, str] = {}
    for line in listed.split("\n"):
        oid, space, path = line.partition(" ")
        if space:  # commits come without a path
            blobs.setdefault(oid, path)
    return blobs


def still_reached(repository: Path, tips: Iterable[str], refs: Iterable[str]) -> bool:
    """Whether every commit *tips* names is still reached from *refs* (the refs now): then
    history was only added to, and everything a last sweep read is still there to read."""
    negated = "".join(f"^{ref}\n" for ref in refs)  # every ref on stdin: no --not to mind
    listed = _rev_list(repository, ("--max-count=1",), "".join(f"{t}\n" for t in tips) + negated)
    return listed is not None and not listed.strip()


def _rev_list(repository: Path, args: Sequence[str], stdin: str) -> str | None:
    out = _git(repository, ["rev-list", *args, "--stdin"], stdin.encode("utf-8", "surrogateescape"))
    return None if out is None else out.decode("utf-8", "surrogateescape")


def _git(repository: Path, args: Sequence[str], stdin: bytes) -> bytes | None:
    """What git prints for *args* fed *stdin*; None when it fails (ask another way)."""
    try:
        proc = subprocess.run(
            git_argv(repository, *args), input=stdin, capture_output=True, env=git_env()
        )
    except OSError:
        return None
    return proc.stdout if proc.returncode == 0 else None


def _read(repository: Path, oids: Sequence[str]) -> dict[str, bytes] | None:
    data = _git(repository, ["cat-file", "--batch"], "".join(f"{o}\n" for o in oids).encode())
    if data is None:
        return None
    out: dict[str, bytes] = {}
    at = 0
    for oid in oids:
        end = data.find(b"\n", at)
        header = data[at:end].decode("ascii", "replace").split()
        if len(header) != 3 or header[0] != oid or header[1] != "blob":
            return None  # missing, or not a blob: the repository changed
        size = int(header[2])
        if size > WHOLE_BLOB_LIMIT:
            return None  # streamed by a sweep: let the sweep read it
        out[oid] = data[end + 1 : end + 1 + size]
        at = end + 1 + size + 1
    return out
