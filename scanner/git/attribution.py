"""Who committed a blob, and where it still lives: asked only for blobs that held a key.

One ``git log --raw`` pass (tree diffs only, never ``-p``: computing content diffs would
cost more than the whole scan), narrowed with ``--find-object`` to the blobs that
matched, oldest commit first, gives the commit, path, author and date that introduced
each blob. Merge commits are diffed against their first parent so a key added while
resolving a merge, or in a stash's work-tree commit, is attributed too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from plugins.pattern import Secret
from scanner.findings import Occurrence, Provenance
from scanner.git.command import run_git
from scanner.git.repository import Repository

Hit = tuple[Secret, Occurrence]

#: Above this many blobs one unfiltered pass is cheaper than a very long command line.
_FIND_OBJECT_LIMIT = 200
_NULL_OIDS = frozenset({"0" * 40, "0" * 64})


@dataclass(frozen=True, order=True)
class Introduction:
    """A commit that added *blob* at *path*."""

    blob: str
    path: str
    commit: str
    author_date: str  # ISO 8601
    author: str


def introductions(
    repo: Repository, blobs: Collection[str], revs: Sequence[str]
) -> dict[str, list[Introduction]]:
    """For each blob, the first commit (oldest first) that introduced it at each path."""
    if not blobs:
        return {}
    args = [
        "log",
        *revs,
        "--reverse",
        "--raw",
        "--no-abbrev",
        "-z",
        "--no-renames",
        "--diff-merges=first-parent",
        "--format=%x01%H%x00%aI%x00%an <%ae>%x00",
    ]
    if len(blobs) <= _FIND_OBJECT_LIMIT:
        args += [f"--find-object={oid}" for oid in sorted(blobs)]
    proc = run_git(repo.root, *args, "--")
    found: dict[str, dict[str, Introduction]] = {}
    for record in proc.stdout.split(b"\x01")[1:]:
        fields = record.split(b"\0")
        if len(fields) < 3:
            continue
        commit = fields[0].decode("ascii")
        date = fields[1].decode("utf-8", "replace")
        author = fields[2].decode("utf-8", "replace")
        tokens = iter(fields[3:])
        for token in tokens:
            token = token.lstrip(b"\n")
            if not token.startswith(b":"):
                continue
            meta = token.split(b" ")
            path = next(tokens, b"").decode("utf-8", "surrogateescape")
            if len(meta) < 5:
                continue
            new = meta[3].decode("ascii")
            if new in _NULL_OIDS or new not in blobs:
                continue
            by_path = found.setdefault(new, {})
            if path not in by_path:
                by_path[path] = Introduction(new, path, commit, date, author)
    return {oid: sorted(by_path.values()) for oid, by_path in found.items()}


def refs_containing(repo: Repository, commits: Collection[str]) -> dict[str, tuple[str, ...]]:
    """The refs (branches, tags, remotes, stash, notes) from which each commit is reachable."""
    out: dict[str, tuple[str, ...]] = {}
    for commit in sorted(commits):
        proc = run_git(
            repo.root, "for-each-ref", "--format=%(refname)", f"--contains={commit}", check=False
        )
        names = proc.stdout.decode("utf-8", "surrogateescape").split()
        out[commit] = tuple(sorted(names))
    return out


@dataclass(frozen=True)
class HeadTree:
    """What HEAD holds: its blob ids, and the submodules it records (path, commit)."""

    blobs: frozenset[str]
    submodules: tuple[tuple[str, str], ...]


def head_tree(repo: Repository) -> HeadTree:
    proc = run_git(repo.root, "ls-tree", "-r", "-z", "--full-tree", "HEAD", check=False)
    if proc.returncode != 0:  # an unborn HEAD: nothing committed yet
        return HeadTree(frozenset(), ())
    blobs: set[str] = set()
    submodules: list[tuple[str, str]] = []
    for entry in proc.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        _mode, kind, oid = meta.decode("ascii").split(" ")
        if kind == "blob":
            blobs.add(oid)
        elif kind == "commit":
            submodules.append((path.decode("utf-8", "surrogateescape"), oid))
    return HeadTree(frozenset(blobs), tuple(submodules))


_UNATTRIBUTED: list[Introduction | None] = [None]


def attribute(
    repo: Repository,
    matched: dict[str, tuple[str, tuple[Hit, ...]]],
    revs: tuple[str, ...],
    head: HeadTree,
) -> list[Hit]:
    """Each matched blob's hits, placed at the path(s) and commit(s) that introduced it."""
    if not matched:
        return []
    intros = introductions(repo, matched.keys(), revs)
    refs = refs_containing(repo, {i.commit for found in intros.values() for i in found})
    out: list[Hit] = []
    for oid, (hint, hits) in sorted(matched.items()):
        for intro in intros.get(oid) or _UNATTRIBUTED:
            path = intro.path if intro is not None else hint or f"(unreachable blob {oid[:12]})"
            for secret, occurrence in hits:
                provenance = Provenance(
                    repository=str(repo.root),
                    blob=oid,
                    commit=intro.commit if intro else None,
                    author_date=intro.author_date if intro else None,
                    author=intro.author if intro else None,
                    refs=refs.get(intro.commit, ()) if intro else (),
                    at_head=oid in head.blobs,
                    in_worktree=_in_worktree(repo, path, secret),
                )
                # A key inside an archive member keeps its ``!/member`` part.
                inside = occurrence.path[len(hint) :] if occurrence.path.startswith(hint) else ""
                out.append(
                    (
                        secret,
                        dataclasses.replace(occurrence, path=path + inside, provenance=provenance),
                    )
                )
    return out


def _in_worktree(repo: Repository, path: str, secret: Secret) -> bool:
    if repo.work_tree is None or not path:
        return False
    try:
        data = (repo.work_tree / path).read_bytes()
    except OSError:
        return False
    return secret.reveal().encode("ascii") in data
