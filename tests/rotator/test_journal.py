from __future__ import annotations

from rotator.journal import Journal, from_metadata, reconcile
from rotator.states import State, can_move


def _journal(**changes: object) -> Journal:
    base = Journal("r1", State.AWAITING_NEW_KEY, 3, "private_key", "t0", "t0", old_fp="o" * 64)
    return base.replace(**changes)


def test_round_trip_through_custom_metadata() -> None:
    journal = _journal(intent="write", intent_fp="n" * 64)
    custom = {k: v for k, v in journal.to_metadata().items() if v is not None}
    assert all(len(v) <= 512 for v in custom.values())
    assert from_metadata(custom) == journal


def test_write_that_landed_becomes_vault_updated() -> None:
    res = reconcile(_journal(intent="write", intent_fp="n" * 64), 4, {4: "n" * 64}.get)
    assert res is not None
    assert (res.journal.state, res.journal.new_version, res.journal.intent) == (
        State.VAULT_UPDATED,
        4,
        None,
    )


def test_write_that_never_landed_waits_for_the_key_again() -> None:
    res = reconcile(_journal(intent="write", intent_fp="n" * 64), 3, lambda v: None)
    assert res is not None
    assert res.journal.state is State.AWAITING_NEW_KEY
    assert "enter the new key again" in res.note


def test_someone_elses_version_is_a_conflict() -> None:
    res = reconcile(_journal(intent="write", intent_fp="n" * 64), 4, {4: "x" * 64}.get)
    assert res is not None
    assert res.journal.state is State.CONFLICT


def test_no_going_back_after_done() -> None:
    assert not can_move(State.DONE, State.ROLLED_BACK)
    assert not can_move(State.AWAITING_NEW_KEY, State.ROLLED_BACK)
    assert can_move(State.AWAITING_REVOKE, State.ROLLED_BACK)
