"""The rotation state machine: which states exist and which moves between them are legal."""

from __future__ import annotations

from enum import Enum

from rotator.errors import RotationError


class State(str, Enum):
    PREFLIGHT = "PREFLIGHT"
    AWAITING_NEW_KEY = "AWAITING_NEW_KEY"
    VAULT_UPDATED = "VAULT_UPDATED"
    INTEGRATIONS_UPDATED = "INTEGRATIONS_UPDATED"
    AWAITING_REVOKE = "AWAITING_REVOKE"
    DONE = "DONE"
    ABORTED = "ABORTED"
    ROLLED_BACK = "ROLLED_BACK"
    CONFLICT = "CONFLICT"


TERMINAL = frozenset({State.DONE, State.ABORTED, State.ROLLED_BACK, State.CONFLICT})
#: Before the Vault write: the rotation can still be abandoned without touching data.
BEFORE_WRITE = frozenset({State.PREFLIGHT, State.AWAITING_NEW_KEY})
#: After the Vault write and before the old key is disabled: rollback is still possible.
AFTER_WRITE = frozenset({State.VAULT_UPDATED, State.INTEGRATIONS_UPDATED, State.AWAITING_REVOKE})

_MOVES: dict[State, frozenset[State]] = {
    State.PREFLIGHT: frozenset({State.AWAITING_NEW_KEY, State.ABORTED, State.CONFLICT}),
    State.AWAITING_NEW_KEY: frozenset({State.VAULT_UPDATED, State.ABORTED, State.CONFLICT}),
    State.VAULT_UPDATED: frozenset({State.INTEGRATIONS_UPDATED, State.ROLLED_BACK, State.CONFLICT}),
    State.INTEGRATIONS_UPDATED: frozenset(
        {State.AWAITING_REVOKE, State.ROLLED_BACK, State.CONFLICT}
    ),
    State.AWAITING_REVOKE: frozenset({State.DONE, State.ROLLED_BACK, State.CONFLICT}),
}


def can_move(src: State, dst: State) -> bool:
    return dst in _MOVES.get(src, frozenset())


def check_move(src: State, dst: State) -> None:
    if not can_move(src, dst):
        raise RotationError(f"a rotation in state {src.value} cannot move to {dst.value}")
