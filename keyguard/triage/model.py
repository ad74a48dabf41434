"""The records of a triage: one per distinct key, most dangerous first, and the notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from plugins.client.responses import Account
from plugins.key_status import KeyStatus
from plugins.pattern import Secret
from rotator.states import State
from scanner.report.exposure import Exposure


class Kind(Enum):
    """What a key's situation is, most alarming first (the order every listing uses)."""

    RETIRED_LIVE = "retired_live"  # a completed rotation retired it, and it works again
    LIVE_CURRENT = "live_current"  # live, and the current version of a target
    LIVE_ROTATING = "live_rotating"  # live, and a rotation replacing it is under way
    LIVE_OLD_VERSION = "live_old_version"  # live, in old versions only: replaced, not disabled
    LIVE_UNSTORED = "live_unstored"  # live, in no configured target
    UNCHECKED_CURRENT = "unchecked_current"  # not known, and a target's current version
    UNCHECKED = "unchecked"  # not known whether it works
    REVOKED_CURRENT = "revoked_current"  # dead, yet a target's current version: consumers fail
    RETIRED_PRESENT = "retired_present"  # retired by a rotation, still in the code or a site
    REVOKED_PRESENT = "revoked_present"  # dead, still in the code or on a site
    RETIRED_HISTORY = "retired_history"  # retired by a rotation, only in history
    REVOKED_HISTORY = "revoked_history"  # dead, only in history

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def alarming(self) -> bool:
        """A key that works: exit code 1."""
        return self.rank <= Kind.LIVE_UNSTORED.rank


_RANK = {kind: rank for rank, kind in enumerate(Kind)}


@dataclass(frozen=True)
class VaultRef:
    """A version of a configured target that holds the key."""

    target: str
    path: str
    version: int
    current: bool


@dataclass(frozen=True)
class RotationRef:
    """The rotation that matters for a key: the one that retired it, or one under way."""

    rotation_id: str
    state: str
    target: str
    path: str
    started_at: str | None
    retired_at: str | None  # set when this rotation retired the key (DONE)
    replacing: bool  # the key is the one this rotation replaces (not the one it brings)

    @property
    def retired(self) -> bool:
        """This rotation completed, and the key is the one it retired."""
        return self.replacing and self.state == State.DONE.value


class Source(Enum):
    REPORT = "report"  # the report was written with --verify
    KLAVIYO = "klaviyo"  # asked now
    NONE = "none"  # not asked


@dataclass(frozen=True)
class Status:
    status: KeyStatus
    source: Source
    reason: str | None = None
    account: Account | None = None
    #: The key was to be checked and could not be (its key not got back, no answer).
    unchecked: bool = False


@dataclass(frozen=True)
class KeyTriage:
    fingerprint: str
    redacted: str
    status: Status
    exposure: Exposure
    vault: tuple[VaultRef, ...]
    rotation: RotationRef | None
    kind: Kind
    verdict: str  # one line
    next: str  # one line; a command in it runs as printed
    #: Only with --show-secrets.
    secret: Secret | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Note:
    """One line about something the triage could not read or compare."""

    subject: str  # the report, target or log it is about
    text: str
    unchecked: bool  # something that should have been checked was not: exit code 3


@dataclass(frozen=True)
class Triage:
    keys: tuple[KeyTriage, ...] = ()
    notes: tuple[Note, ...] = ()
    targets: int = 0  # configured targets consulted
    generated_at: str = ""
