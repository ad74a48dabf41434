"""The pace of a verification run, fed answers at explicit times (no clock, no HTTP)."""

from __future__ import annotations

import pytest

from plugins.client.pacing import Pace
from plugins.client.responses import RateInfo

ROOM = RateInfo(remaining=14, reset=60.0)


def met(pace: Pace, *accounts: str, at: float = 0.0) -> None:
    for account in accounts:
        pace.answered(at, account, ROOM)


def test_a_run_without_a_429_is_not_paced() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, "A", "B", "A")
    pace.answered(0.0, "A", RateInfo(remaining=0, reset=60.0))
    for _ in range(5):
        pace.started(0.0)
    assert pace.not_before == 0.0


def test_a_429_with_one_account_met_pauses_the_run_then_one_request_per_window() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, "A")
    pace.throttled(10.0, wait=1.0)
    assert pace.not_before == 11.0
    pace.started(11.0)
    assert pace.not_before == 12.0
    met(pace, "A", "A", at=11.5)  # one account answering never widens the pace
    pace.started(12.0)
    assert pace.not_before == 13.0


def test_a_429_with_many_accounts_met_narrows_the_pace_instead_of_pausing() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, *"ABCDEFGHIJ")
    pace.throttled(5.0, wait=1.0)
    assert pace.not_before == 0.0  # nobody waits for the throttled key's account
    assert pace.allowed(5.0) == 8  # ten accounts, less two for the 429
    pace.started(5.0)
    assert pace.not_before == pytest.approx(5.0 + 1.0 / 8)


def test_answers_from_different_accounts_widen_the_pace_up_to_the_accounts_met() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, *"ABCD")
    pace.throttled(1.0, wait=1.0)
    assert pace.allowed(1.0) == 2
    met(pace, "A", at=2.0)
    assert pace.allowed(2.0) == 2  # the first answer after a 429 does not widen it
    met(pace, "B", "A", "B", "A", "B", at=2.0)
    assert pace.allowed(2.0) == 4  # not more: four accounts are known
    met(pace, "E", at=2.0)
    assert pace.allowed(2.0) == 5


def test_a_run_of_429s_brings_the_pace_down_to_one_account_then_pauses_the_run() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, *(f"account-{i}" for i in range(30)))
    throttled = 0
    while pace.not_before == 0.0 and throttled < 30:
        pace.throttled(1.0, wait=1.0)
        throttled += 1
    assert throttled == 8  # 30 -> 28 -> 25 -> 21 -> 16 -> 10 -> 3 -> 1, then paused
    assert pace.not_before == 2.0
    assert pace.allowed(1.0) == 1


def test_an_account_that_spent_its_window_stops_counting_until_it_resets() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, "A", "B", "C")
    pace.throttled(1.0, wait=1.0)
    met(pace, "A", "B", "C", at=1.5)
    assert pace.allowed(1.5) == 3
    pace.answered(2.0, "C", RateInfo(remaining=0, reset=20.0))
    assert pace.allowed(2.0) == 2
    assert pace.allowed(22.0) == 3  # its window reset


def test_every_account_met_having_spent_its_window_pauses_until_the_first_resets() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, "A", "B")
    pace.throttled(1.0, wait=1.0)
    pace.answered(2.0, "A", RateInfo(remaining=0, reset=30.0))
    assert pace.not_before < 32.0  # B still has room
    pace.answered(3.0, "B", RateInfo(remaining=0, reset=10.0))
    assert pace.not_before == 13.0


def test_answers_outside_the_limiter_say_nothing_about_the_pace() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, *"ABCD")
    pace.throttled(1.0, wait=1.0)
    pace.answered(1.1, None, None)  # a 401: not counted in any window
    pace.throttled(1.2, wait=1.0)  # so this 429 is the second in a row
    assert pace.allowed(1.2) == 1
    pace.answered(1.3, None, ROOM)  # a 403: through the limiter, account not named
    assert pace.streak == 0
    assert pace.allowed(1.3) == 1


def test_answers_the_limiter_did_not_count_make_the_turns_shorter_not_a_pause() -> None:
    pace = Pace(burst_window=1.0)
    met(pace, "A", "B")
    pace.throttled(1.0, wait=1.0)  # two accounts: no pause, the pace narrows to one
    pace.started(1.0)
    assert pace.not_before == 2.0  # every answer so far was counted: a whole window
    for _ in range(100):
        pace.answered(1.1, None, None)  # 401s: keys of no account
    pace.started(2.0)
    assert pace.not_before == 2.25  # four times as fast at most
    pace.throttled(2.1, wait=3.0)  # one account allowed: the run pauses, wholly
    assert pace.not_before == 5.1
