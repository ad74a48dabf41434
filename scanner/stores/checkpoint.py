"""A resumable sweep's record of finished targets: one JSON line each, written as it ends.

The first line names the sweep (a digest of its targets and options) so a checkpoint is
never applied to another one; each next line is a target swept without errors: its name,
what it held (counts, warnings), a digest of its refs (:func:`scanner.git.tips.ref_state`)
and the ids of the blobs that held keys, never a key. A resumed sweep rebuilds a finished
target from that: nothing to read when it held no key, only those blobs when it did. The
last line says the sweep completed; the next run with the file starts afresh.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from plugins.errors import UsageError
from scanner.findings import Occurrence, ScanIssue
from scanner.report.fields import Fields, ReportError
from scanner.sweep import SweepStats, TargetResult

VERSION = 1
_STATS = ("blobs", "bytes", "cached", "files", "binary")


#: What the first line of a checkpoint file says it is.
MARKER = "keyguard-sweep"


class CheckpointError(UsageError):
    """The checkpoint file belongs to another sweep, or cannot be read or written."""


@dataclass(frozen=True)
class Finished:
    """A target that was swept through, as the checkpoint records it."""

    target: str
    kind: str
    state: str | None  # ref_state() when it was swept; None for a directory
    stats: SweepStats
    occurrences: int
    key_blobs: tuple[str, ...]  # blob ids that held a key (never the key)
    warnings: tuple[ScanIssue, ...]
    #: Where each key was (paths, lines, commits; never the key), in the sweep's order.
    places: tuple[Occurrence, ...] = ()
    #: The blobs whose warnings are among *warnings*, with the path each was read under
    #: (None: not recorded, an older file).
    warned_blobs: tuple[tuple[str, str], ...] | None = None

    @classmethod
    def of(cls, result: TargetResult, state: str | None) -> Finished:
        blobs = sorted({o.provenance.blob for _, o in result.hits if o.provenance is not None})
        return cls(
            result.target,
            result.kind,
            state,
            result.stats,
            len(result.hits),
            tuple(blobs),
            result.warnings,
            tuple(occurrence for _, occurrence in result.hits),
            tuple(sorted(set(result.noted_blobs))),
        )

    def restored(self) -> TargetResult:
        """The result of a target that held no key, without reading it again."""
        return TargetResult(self.target, self.kind, (), (), self.warnings, self.stats)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "kind": self.kind,
            "state": self.state,
            **{name: getattr(self.stats, name) for name in _STATS},
            "occurrences": self.occurrences,
            "key_blobs": list(self.key_blobs),
            "warnings": [w.to_json() for w in self.warnings],
            "places": [o.to_json() for o in self.places],
            **(
                {}
                if self.warned_blobs is None
                else {"warned_blobs": [list(pair) for pair in self.warned_blobs]}
            ),
        }

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> Finished:
        return cls(
            str(record["target"]),
            str(record["kind"]),
            None if record.get("state") is None else str(record["state"]),
            SweepStats(*(int(record.get(name, 0)) for name in _STATS)),
            int(record.get("occurrences", 0)),
            tuple(str(b) for b in record.get("key_blobs", ())),
            tuple(ScanIssue(str(w["path"]), str(w["message"])) for w in record.get("warnings", ())),
            tuple(
                Occurrence.from_json(Fields(o, f"places[{i}]"))
                for i, o in enumerate(record.get("places", ()))
            ),
            None
            if record.get("warned_blobs") is None
            else tuple((str(oid), str(path)) for oid, path in record["warned_blobs"]),
        )


class Checkpoint:
    """The checkpoint at *path* for the sweep *command* (a digest of what it sweeps)."""

    def __init__(self, path: Path, command: str) -> None:
        self.path = path
        self.command = command
        self.finished: dict[str, Finished] = {}
        self._out: TextIO | None = None
        self._load()

    def _load(self) -> None:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise CheckpointError(f"cannot read checkpoint {self.path}: {exc.strerror}") from exc
        records = list(_records(lines))
        if not records:
            return
        head = records[0]
        if head.get("checkpoint") != MARKER or head.get("version") != VERSION:
            raise CheckpointError(f"{self.path} is not a sweep checkpoint written by keyguard")
        if records[-1].get("completed"):
            return  # that sweep ended: this one starts afresh
        if head.get("command") != self.command:
            raise CheckpointError(
                f"{self.path} is the checkpoint of another sweep (other targets or options): "
                "delete it, or name another file for this one"
            )
        for record in records[1:]:
            with contextlib.suppress(KeyError, TypeError, ValueError, ReportError):
                entry = Finished.from_json(record)
                self.finished[entry.target] = entry

    def __enter__(self) -> Checkpoint:
        fresh = not self.finished
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("w" if fresh else "a", encoding="utf-8")
        except OSError as exc:
            raise CheckpointError(f"cannot write checkpoint {self.path}: {exc.strerror}") from exc
        if fresh:
            self._write({"checkpoint": MARKER, "version": VERSION, "command": self.command})
        return self

    def __exit__(self, *exc: object) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None

    def record(self, result: TargetResult, state: str | None) -> None:
        """Note *result* as finished, unless something in it could not be read (a next run
        tries that target again) or it is recorded already."""
        if result.errors:
            return
        entry = Finished.of(result, state)
        if self.finished.get(result.target) == entry:
            return
        self.finished[result.target] = entry
        self._write(entry.to_json())

    def complete(self, targets: int) -> None:
        self._write({"completed": True, "targets": targets})

    def _write(self, record: dict[str, Any]) -> None:
        assert self._out is not None, "use the checkpoint as a context manager"
        # One line per target, flushed as it finishes: a killed sweep loses none of them.
        self._out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._out.flush()


def _records(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # the line a kill cut short
        if isinstance(record, dict):
            yield record
