"""Where a key of a report is exposed, summed up from its occurrences.

Repositories, the refs still holding it (pull-request refs and tags told apart: a
rewrite of history does not reach a hosting service's pull-request refs), the paths, the
sites it was served from; whether it is still at HEAD or in a work tree; when it was
first committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from scanner.findings import Occurrence
from scanner.recover import is_url

#: Where hosting services keep pull- and merge-request heads (GitHub, Bitbucket, GitLab),
#: and where a mirror that fetched them keeps theirs.
PULL_REF_PREFIXES = ("refs/pull/", "refs/pull-requests/", "refs/merge-requests/")


def is_pull_ref(ref: str) -> bool:
    if ref.startswith(PULL_REF_PREFIXES):
        return True
    parts = ref.split("/")
    # refs/remotes/origin/pr/12 (a fetch refspec mapping pull requests under a remote)
    return len(parts) >= 5 and parts[:2] == ["refs", "remotes"] and parts[3] in ("pr", "pull")


def is_tag(ref: str) -> bool:
    return ref.startswith("refs/tags/")


@dataclass(frozen=True, order=True)
class Place:
    """A path where a key is, in a repository (``repository`` set) or scanned as a file."""

    repository: str | None
    path: str

    def __str__(self) -> str:
        return f"{self.repository}:{self.path}" if self.repository else self.path


@dataclass(frozen=True)
class Exposure:
    repositories: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()  # every ref some occurrence is still reachable from
    places: tuple[Place, ...] = ()  # every path, in history or on disk (sites apart)
    at_head: tuple[Place, ...] = ()  # in the tree of a repository's HEAD
    in_worktree: tuple[Place, ...] = ()  # in a work tree, or a file a scan read
    sites: tuple[str, ...] = ()  # URLs of served assets
    first_committed: str | None = None  # ISO 8601 author date of the earliest commit
    first_commit: str | None = None
    commit_dates: tuple[str, ...] = ()  # every author date, sorted
    #: The refs of each repository still holding the key: (repository, refs), sorted.
    refs_by_repository: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Places where the key is written encoded (base64, escapes...), and how.
    encoded: tuple[tuple[Place, str], ...] = ()

    def refs_in(self, repository: str) -> tuple[str, ...]:
        return dict(self.refs_by_repository).get(repository, ())

    @property
    def pull_refs(self) -> tuple[str, ...]:
        return tuple(r for r in self.refs if is_pull_ref(r))

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(r for r in self.refs if is_tag(r))

    @property
    def current(self) -> bool:
        """Still in use somewhere: at HEAD, in a work tree or scanned file, or on a site."""
        return bool(self.at_head or self.in_worktree or self.sites)


def exposure_of(occurrences: Iterable[Occurrence]) -> Exposure:
    repositories: set[str] = set()
    refs: set[str] = set()
    places: set[Place] = set()
    at_head: set[Place] = set()
    in_worktree: set[Place] = set()
    sites: set[str] = set()
    commits: dict[str, str] = {}  # author date -> commit (the earliest commit of that date)
    by_repository: dict[str, set[str]] = {}
    encoded: set[tuple[Place, str]] = set()
    for o in occurrences:
        p = o.provenance
        if p is None:
            if is_url(o.path):
                sites.add(o.path)
            elif o.path != "-":
                place = Place(None, o.path)
                places.add(place)
                in_worktree.add(place)  # a scanned file: it is on disk now
                if o.encoding != "plain":
                    encoded.add((place, o.encoding))
            continue
        place = Place(p.repository, o.path)
        repositories.add(p.repository)
        refs.update(p.refs)
        by_repository.setdefault(p.repository, set()).update(p.refs)
        if o.encoding != "plain":
            encoded.add((place, o.encoding))
        places.add(place)
        if p.at_head:
            at_head.add(place)
        if p.in_worktree:
            in_worktree.add(place)
        if p.author_date is not None and p.commit is not None:
            known = commits.get(p.author_date)
            commits[p.author_date] = min(known, p.commit) if known else p.commit
    dates = sorted(commits, key=_instant)
    return Exposure(
        tuple(sorted(repositories)),
        tuple(sorted(refs)),
        tuple(sorted(places)),
        tuple(sorted(at_head)),
        tuple(sorted(in_worktree)),
        tuple(sorted(sites)),
        dates[0] if dates else None,
        commits[dates[0]] if dates else None,
        tuple(dates),
        tuple((r, tuple(sorted(by_repository[r]))) for r in sorted(by_repository)),
        tuple(sorted(encoded)),
    )


def _instant(iso: str) -> float:
    """An ISO 8601 date with an offset as a timestamp, for sorting (unreadable ones last)."""
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return float("inf")
