"""What a sweep of a mirror that moved may leave unread: the blobs its last sweep read.

The mirror's record (:mod:`scanner.remote.record`) keeps the commits the refs named when it
was last swept. :func:`plan_since` turns that into what the next sweep reads: only the new
blobs and the few that held keys or warned of damage, listed by the caller when history
was only added to; the whole listing minus what was read clean when it was rewritten; or
everything, when neither is certain.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from scanner.remote import record
from scanner.remote.rebuild import new_blobs, still_reached
from scanner.sweep import SweepOptions


class AllBut(Collection[str]):
    """Every blob id except *kept*, and those in *also*: as a scan cache, it makes a sweep
    read only the blobs of *kept* that *also* (the run's own scan cache) does not hold."""

    def __init__(self, kept: frozenset[str], also: Collection[str] = ()) -> None:
        self.kept = kept
        self.also = also

    def __contains__(self, oid: object) -> bool:
        return oid not in self.kept or oid in self.also

    def __len__(self) -> int:
        return 1  # never empty: the stream consults it

    def __iter__(self) -> Iterator[str]:
        return iter(())


@dataclass(frozen=True)
class Since:
    """How to sweep a mirror for what is new since its last sweep: the blobs to leave
    unread, or (history only added to) the very blobs to read, and how many blobs of the
    last sweep are taken as read without listing them."""

    skip: Collection[str]
    blobs: Mapping[str, str] | None = None
    known: int = 0


def plan_since(
    path: Path,
    last: record.Swept,
    options: SweepOptions,
    cache: Collection[str],
    refs: Mapping[str, str],
) -> Since:
    """What a sweep of the mirror at *path* may leave unread: the blobs its *last* sweep
    read clean, when that is certain; else only *cache*. *refs*: the mirror's refs now.

    Certain means: every ref swept (no ``--since``, ``--ref`` or ``--unreachable``), the
    blobs behind its warnings known, and git still holding the commits the refs named
    then. The blobs that held keys or warned of damage are read again with the new ones,
    so every key is attributed anew over the whole history and every warning said again,
    as a full sweep would. When every commit the refs named then is still reached, history
    was only added to: those blobs and the new ones are all there is to read, and the
    repository is not listed at all.
    """
    entry = last.entry
    unknown = entry.warnings and entry.warned_blobs is None
    if options.refs or options.since or options.unreachable or not last.tips or unknown:
        return Since(cache)
    new = new_blobs(path, last.tips)
    if new is None:
        return Since(cache)
    # The blobs read again, each with a path to read it under (an archive member's place
    # names the archive): a key's blob recorded without a place cannot be listed.
    again = {o.provenance.blob: o.path.split("!/", 1)[0] for o in entry.places if o.provenance}
    again.update(entry.warned_blobs or ())
    listable = again.keys() >= set(entry.key_blobs)
    if listable and still_reached(path, last.tips, refs.values()):
        known = entry.stats.blobs + entry.stats.cached - len(again)
        return Since(cache, {**again, **new}, max(0, known))
    return Since(AllBut(frozenset(new) | frozenset(again) | frozenset(entry.key_blobs), cache))
