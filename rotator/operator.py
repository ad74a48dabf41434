"""What a rotation needs from and tells the people running it: the Operator interface,
what it is waiting for, and the tunable settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Protocol

from plugins.pattern import Secret
from rotator.gates import Polling
from rotator.integrations import Integration
from rotator.journal import Journal


class Waiting(Enum):
    """What a human must do before the rotation can go on."""

    NEW_KEY = "new_key"
    REVOKE = "revoke"
    INTEGRATIONS = "integrations"


@dataclass(frozen=True)
class Outcome:
    journal: Journal
    waiting: Waiting | None = None


@dataclass(frozen=True)
class OldKey:
    """How a person tells the key to disable apart in Klaviyo's list (never the key).

    ``name`` and ``created`` come from the API-keys endpoint, so only with an admin key.
    """

    redacted: str  # pk_… and the last four characters
    name: str | None = None
    created: str | None = None  # YYYY-MM-DD

    def describe(self) -> str:
        text = f"the key ending in {self.redacted[-4:]}"
        if self.name:
            text += f", named '{self.name}'"
        if self.created:
            text += f", created {self.created}"
        return text


#: Why a rotation pauses (:meth:`Operator.waiting`).
SOAK = "soak"  # the target's soak time, before the old key may be disabled
REVOCATION = "revocation"  # Klaviyo still accepts the old key: asked again after a pause


class Operator(Protocol):
    """The human side of a rotation; a method returning None/False means "not now"."""

    def new_key(self, journal: Journal) -> Secret | None: ...

    def confirm_integration(self, step: Integration, journal: Journal) -> bool: ...

    def confirm_revoked(self, journal: Journal, old: OldKey) -> bool: ...

    def wait(self, seconds: float, journal: Journal) -> None: ...

    def waiting(self, why: str, seconds: float, journal: Journal) -> None:
        """Told before each pause (:data:`SOAK`, :data:`REVOCATION`), so none is silent."""
        ...


@dataclass(frozen=True)
class Settings:
    min_token_ttl: timedelta = timedelta(minutes=15)
    polling: Polling = field(default_factory=Polling)
