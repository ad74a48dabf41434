"""The rotation journal: non-secret fields kept in the secret's own custom_metadata.

Keeping the journal next to the key means Vault alone says where a rotation stands,
whichever machine resumes it. Every field is a short string (custom_metadata allows
64 keys of at most 512 bytes); keys are identified by SHA-256 fingerprints only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rotator.states import BEFORE_WRITE, State

PREFIX = "keyguard_"
#: Survives from one rotation to the next, for ``status --all --max-age``.
LAST_DONE = PREFIX + "last_done_at"
DONE_PREFIX = PREFIX + "done_"
LOCK_PREFIX = PREFIX + "lock_"
ERROR_KEY = PREFIX + "error"

_FIELDS = {
    "rotation_id": "id",
    "state": "state",
    "base_version": "base_version",
    "new_version": "new_version",
    "field": "field",
    "old_fp": "old_fp",
    "new_fp": "new_fp",
    "account_id": "account",
    "key_label": "key_label",
    "started_at": "started_at",
    "updated_at": "updated_at",
    "intent": "intent",
    "intent_fp": "intent_fp",
    "soak_until": "soak_until",
    "revoke_confirmed": "revoke_confirmed",
    "error": "error",
}


@dataclass(frozen=True)
class Journal:
    rotation_id: str
    state: State
    base_version: int
    field: str
    started_at: str
    updated_at: str
    old_fp: str | None = None
    new_fp: str | None = None
    new_version: int | None = None
    account_id: str | None = None
    key_label: str | None = None
    #: "write" or "rollback" while a data write may or may not have happened.
    intent: str | None = None
    intent_fp: str | None = None
    soak_until: str | None = None
    revoke_confirmed: bool = False
    error: str | None = None
    integrations_done: frozenset[str] = frozenset()

    def to_metadata(self) -> dict[str, str | None]:
        """The merge-patch that records this journal (``None`` clears a field)."""
        out: dict[str, str | None] = {}
        for attr, key in _FIELDS.items():
            value = getattr(self, attr)
            if value is None or value is False:
                out[PREFIX + key] = None
            elif isinstance(value, State):
                out[PREFIX + key] = value.value
            else:
                out[PREFIX + key] = "true" if value is True else str(value)
        return out

    def replace(self, **changes: object) -> Journal:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def from_metadata(custom: Mapping[str, str]) -> Journal | None:
    if PREFIX + "id" not in custom:
        return None

    def get(key: str) -> str | None:
        return custom.get(PREFIX + key)

    def num(key: str) -> int | None:
        value = get(key)
        return int(value) if value is not None else None

    return Journal(
        rotation_id=custom[PREFIX + "id"],
        state=State(get("state") or State.PREFLIGHT.value),
        base_version=num("base_version") or 0,
        field=get("field") or "private_key",
        started_at=get("started_at") or "",
        updated_at=get("updated_at") or "",
        old_fp=get("old_fp"),
        new_fp=get("new_fp"),
        new_version=num("new_version"),
        account_id=get("account"),
        key_label=get("key_label"),
        intent=get("intent"),
        intent_fp=get("intent_fp"),
        soak_until=get("soak_until"),
        revoke_confirmed=get("revoke_confirmed") == "true",
        error=get("error"),
        integrations_done=frozenset(
            k[len(DONE_PREFIX) :] for k in custom if k.startswith(DONE_PREFIX)
        ),
    )


def clear_patch(custom: Mapping[str, str]) -> dict[str, str | None]:
    """A patch removing every journal field of a previous rotation (not the lock or last-done)."""
    return {
        k: None
        for k in custom
        if k.startswith(PREFIX) and k != LAST_DONE and not k.startswith(LOCK_PREFIX)
    }


@dataclass(frozen=True)
class Resolution:
    """What a journal with a pending intent turns into, decided from Vault alone."""

    journal: Journal
    note: str


def reconcile(
    journal: Journal, current_version: int, fingerprint_at: Callable[[int], str | None]
) -> Resolution | None:
    """Settle a write that may or may not have happened before a crash.

    The intent record holds the fingerprint of the value about to be written and the
    version it was written against. The version after it, if any, tells whether the
    write landed and whether it was ours; *fingerprint_at* reads a version's field.
    Returns None when the journal has no intent.
    """
    if journal.intent is None:
        return None
    cleared = journal.replace(intent=None, intent_fp=None)
    expected_base = journal.base_version if journal.intent == "write" else journal.new_version
    assert expected_base is not None
    if current_version == expected_base:
        note = "the interrupted write never reached Vault"
        if journal.intent == "write":
            note += "; enter the new key again"
        return Resolution(cleared, note)
    landed = fingerprint_at(expected_base + 1) == journal.intent_fp
    if landed and current_version == expected_base + 1:
        if journal.intent == "write":
            done = cleared.replace(
                state=State.VAULT_UPDATED, new_version=expected_base + 1, new_fp=journal.intent_fp
            )
            return Resolution(done, "the interrupted write had reached Vault")
        return Resolution(
            cleared.replace(state=State.ROLLED_BACK), "the interrupted rollback had reached Vault"
        )
    return Resolution(
        cleared.replace(
            state=State.CONFLICT,
            error=f"version {expected_base + 1} of the secret was not written by this rotation",
        ),
        "another writer changed the secret during the rotation",
    )


def expected_current(journal: Journal) -> int | None:
    """The version Vault must be at for this journal to be consistent (None: anything goes)."""
    if journal.intent is not None:
        return None
    if journal.state in BEFORE_WRITE:
        return journal.base_version
    return journal.new_version
