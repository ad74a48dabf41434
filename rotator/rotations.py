"""What rotations say about keys: which key a completed rotation retired and when, and
which rotations are still under way.

Two sources, both free of secrets: the journal in each target's custom_metadata (the
authority on the latest rotation of that secret, cleared when the next one starts) and the
hash-chained audit log (every rotation run from this machine, or the log a team shares).
A key is named by its fingerprint; a rotation whose events name no fingerprint of the key
it retired (logs written before the ``done`` event carried one) is matched through the
version it started from, whose fingerprint Vault still gives while that version exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from rotator.audit_log import verify as verify_chain
from rotator.journal import LAST_DONE, Journal, from_metadata
from rotator.states import TERMINAL, State


@dataclass(frozen=True)
class Rotation:
    rotation_id: str
    vault_path: str
    state: State
    old_fp: str | None = None  # the key being replaced (retired once DONE)
    new_fp: str | None = None
    base_version: int | None = None
    new_version: int | None = None
    started_at: str | None = None
    finished_at: str | None = None  # when it reached DONE: the old key was proven dead

    @property
    def done(self) -> bool:
        return self.state is State.DONE

    @property
    def in_progress(self) -> bool:
        return self.state not in TERMINAL


def from_journal(vault_path: str, custom: Mapping[str, str]) -> Rotation | None:
    """The latest rotation of the secret at *vault_path*, from its custom_metadata."""
    try:
        journal = from_metadata(custom)
    except ValueError:  # a journal edited by hand beyond reading
        return None
    if journal is None:
        return None
    return _of_journal(vault_path, journal, custom.get(LAST_DONE))


def _of_journal(vault_path: str, j: Journal, last_done: str | None) -> Rotation:
    return Rotation(
        j.rotation_id,
        vault_path,
        j.state,
        j.old_fp,
        j.new_fp,
        j.base_version,
        j.new_version,
        j.started_at or None,
        (last_done or j.updated_at or None) if j.state is State.DONE else None,
    )


class AuditProblem(Enum):
    MISSING = "missing"  # no log at the path: only the journals in Vault were read
    UNREADABLE = "unreadable"
    BROKEN_CHAIN = "broken_chain"  # a line was changed or dropped: read, but not to be trusted


@dataclass(frozen=True)
class AuditRead:
    rotations: tuple[Rotation, ...] = ()
    problem: AuditProblem | None = None
    lines: tuple[int, ...] = ()  # where the chain broke


def _text(record: Mapping[str, object], key: str) -> str | None:
    value = record.get(key)
    return value if isinstance(value, str) else None


def _number(record: Mapping[str, object], key: str) -> int | None:
    value = record.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def rotations_in(records: Iterable[Mapping[str, object]]) -> tuple[Rotation, ...]:
    """Each rotation the events of an audit log tell of, in the order they started."""
    found: dict[str, Rotation] = {}
    for record in records:
        rid, path, word = (_text(record, k) for k in ("rotation_id", "vault_path", "state"))
        if rid is None or path is None or word not in State.__members__:
            continue
        r = replace(found.get(rid) or Rotation(rid, path, State(word)), state=State(word))
        event, at = _text(record, "event"), _text(record, "at")
        if event == "started":
            r = replace(r, base_version=_number(record, "base_version"), started_at=at)
        elif event == "done":
            r = replace(r, finished_at=at)
        old, new = _text(record, "old_fp"), _text(record, "new_fp")
        if old:
            r = replace(r, old_fp=old)
        if new:
            r = replace(r, new_fp=new)
        found[rid] = r
    return tuple(found.values())


def read_audit(path: Path) -> AuditRead:
    """The rotations an audit log tells of, and whether the log can be trusted."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AuditRead(problem=AuditProblem.MISSING)
    except (OSError, UnicodeDecodeError):
        return AuditRead(problem=AuditProblem.UNREADABLE)
    records: list[Mapping[str, object]] = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    broken = tuple(int(p.split(":", 1)[0].removeprefix("line ")) for p in verify_chain(path) if p)
    problem = AuditProblem.BROKEN_CHAIN if broken else None
    return AuditRead(rotations_in(records), problem, broken)


@dataclass(frozen=True)
class Rotations:
    """Every rotation known, for looking keys up by fingerprint."""

    known: tuple[Rotation, ...] = ()

    def retired(self, fp: str) -> Rotation | None:
        """The latest completed rotation that retired the key *fp*."""
        done = [r for r in self.known if r.done and r.old_fp == fp]
        return max(done, key=lambda r: r.finished_at or "", default=None)

    def under_way(self, fp: str) -> Rotation | None:
        """A rotation in progress that replaces the key *fp*, or puts it in place."""
        for r in self.known:
            if r.in_progress and fp in (r.old_fp, r.new_fp):
                return r
        return None

    def of_path(self, vault_path: str) -> tuple[Rotation, ...]:
        return tuple(r for r in self.known if r.vault_path == vault_path)


def combine(
    journals: Iterable[Rotation],
    logged: Iterable[Rotation],
    fingerprint_at: Callable[[str, int], str | None],
) -> Rotations:
    """The journals' rotations (the authority on state) with the log's older ones; a key
    a rotation does not name is looked up in Vault by the version it started from."""
    by_id: dict[str, Rotation] = {r.rotation_id: r for r in logged}
    for r in journals:
        earlier = by_id.get(r.rotation_id)
        by_id[r.rotation_id] = (
            replace(r, started_at=r.started_at or earlier.started_at) if earlier else r
        )
    out = []
    for r in by_id.values():
        if r.old_fp is None and r.base_version is not None:
            r = replace(r, old_fp=fingerprint_at(r.vault_path, r.base_version))
        out.append(r)
    return Rotations(tuple(sorted(out, key=lambda r: (r.started_at or "", r.rotation_id))))
