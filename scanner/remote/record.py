"""What the last sweep of a mirror found, kept beside it: the warm run's shortcut.

``keyguard-swept.json`` in the mirror holds a checkpoint entry
(:class:`scanner.stores.checkpoint.Finished`: counts, warnings, a digest of the refs, the
ids of blobs that held keys; never a key), the commits the refs pointed at, and a digest of
the sweep options it was swept with. When a later sweep finds the mirror's refs and its
options unchanged, it rebuilds the result from the entry instead of reading the whole
history again; when the refs moved, the recorded commits tell what history is new.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scanner.report.fields import ReportError
from scanner.stores import blobcache
from scanner.stores.checkpoint import Finished
from scanner.sweep import SweepOptions

NAME = "keyguard-swept.json"


def options_digest(options: SweepOptions, pull_refs: bool) -> str:
    """What makes two sweeps of one history find the same: the options, and the detector
    (the blob cache's header names its version: a new detector trusts no old record)."""
    # Streams only say how fast: the same history read with more of them is the same sweep.
    same = dataclasses.replace(options, streams=1)
    text = repr((same, pull_refs, blobcache.HEADER))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Swept:
    """The last sweep of a mirror: what it found, and the objects its refs named then."""

    entry: Finished
    tips: frozenset[str]


def read(mirror: Path, digest: str) -> Swept | None:
    try:
        record = json.loads((mirror / NAME).read_text(encoding="utf-8"))
        if record.get("options") != digest:
            return None
        tips = record.get("tips", [])
        if not isinstance(tips, list) or not all(isinstance(t, str) for t in tips):
            return None
        return Swept(Finished.from_json(record["swept"]), frozenset(tips))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ReportError):
        return None


def write(mirror: Path, digest: str, entry: Finished, tips: Iterable[str]) -> None:
    """Kept atomically (a new file renamed over the old); a cache that cannot take it
    (a full disk) only costs the next run its shortcut. *tips*: what the refs named."""
    record = {"options": digest, "swept": entry.to_json(), "tips": sorted(set(tips))}
    text = json.dumps(record, ensure_ascii=False)
    partial = mirror / f"{NAME}.{os.getpid()}"
    try:
        partial.write_text(text + "\n", encoding="utf-8")
        os.replace(partial, mirror / NAME)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()


def forget(mirror: Path) -> None:
    with contextlib.suppress(OSError):
        (mirror / NAME).unlink()
