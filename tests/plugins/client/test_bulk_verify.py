"""The bulk verifier against the stand-in: one request per key, bounded, in budget."""

from __future__ import annotations

import time

import pytest

from keyguard.rehearsal.klaviyo_standin import Fault, KeyState, KlaviyoStandin, RateLimit
from plugins.client.api import Attempt, KeyStatus, KlaviyoClient
from plugins.client.bulk_verify import Verifier
from plugins.client.responses import KeyCheck
from plugins.pattern import Secret
from tests.support.keys import make_key


def secrets(prefix: str, count: int) -> list[Secret]:
    return [Secret(make_key(f"{prefix}-{i}")) for i in range(count)]


def test_each_distinct_key_is_asked_about_once_per_run(klaviyo: KlaviyoStandin) -> None:
    keys = secrets("dup", 5)
    for key in keys:
        klaviyo.add_key(key)
    with KlaviyoClient(klaviyo.url) as client:
        verifier = Verifier(client)
        twice = keys + [Secret(k.reveal()) for k in keys]
        first = verifier.verify(twice)
        again = verifier.verify(keys[:2])
    assert list(first) == [k.fingerprint for k in keys]
    assert {c.status for c in first.values()} == {KeyStatus.LIVE}
    assert again == {k.fingerprint: first[k.fingerprint] for k in keys[:2]}
    assert len(klaviyo.log) == 5
    assert verifier.requests == 5


def test_no_keys_means_no_requests(klaviyo: KlaviyoStandin) -> None:
    with KlaviyoClient(klaviyo.url) as client:
        verifier = Verifier(client)
        assert verifier.verify([]) == {}
    assert len(klaviyo.log) == 0


def test_every_status_comes_back_by_fingerprint(klaviyo: KlaviyoStandin) -> None:
    live, limited, disabled, unknown, broken = secrets("mixed", 5)
    klaviyo.add_key(live)
    klaviyo.add_key(limited, state=KeyState.LIMITED)
    klaviyo.add_key(disabled, state=KeyState.DISABLED)
    klaviyo.add_key(broken)
    klaviyo.inject(Fault.error(503), times=None, fingerprint=broken.fingerprint)
    with KlaviyoClient(klaviyo.url) as client:
        results = Verifier(client, max_attempts=2).verify(
            [live, limited, disabled, unknown, broken]
        )
    statuses = {fp: check.status for fp, check in results.items()}
    assert statuses == {
        live.fingerprint: KeyStatus.LIVE,
        limited.fingerprint: KeyStatus.LIMITED,
        disabled.fingerprint: KeyStatus.REVOKED,
        unknown.fingerprint: KeyStatus.REVOKED,
        broken.fingerprint: KeyStatus.UNKNOWN,
    }
    assert "gave up after 2 tries" in results[broken.fingerprint].reason


def test_concurrency_is_bounded(klaviyo: KlaviyoStandin) -> None:
    keys = secrets("bounded", 12)
    klaviyo.inject(Fault.slow(0.15), times=None)
    with KlaviyoClient(klaviyo.url) as client:
        Verifier(client, concurrency=3).verify(keys)
    assert klaviyo.peak_in_flight == 3
    assert len(klaviyo.log) == 12


def test_throttled_keys_wait_while_others_proceed() -> None:
    with KlaviyoStandin(RateLimit(burst=1, steady=100)) as standin:
        shared = standin.add_account()
        same_account = secrets("same", 3)
        separate = secrets("separate", 3)
        for key in same_account:
            standin.add_key(key, account=shared)
        for key in separate:
            standin.add_key(key)
        started = time.monotonic()
        with KlaviyoClient(standin.url) as client:
            results = Verifier(client, concurrency=4).verify(same_account + separate)
        elapsed = time.monotonic() - started
        statuses = [e.status for e in standin.log.entries()]
    assert {c.status for c in results.values()} == {KeyStatus.LIVE}
    assert statuses.count(429) >= 1
    assert statuses.count(200) == 6
    assert 1.0 <= elapsed < 8.0  # three keys of one account need two burst windows


def test_ten_thousand_keys_respect_the_time_budget(klaviyo: KlaviyoStandin) -> None:
    keys = secrets("flood", 10_000)
    klaviyo.inject(Fault.slow(0.02), times=None)
    started = time.monotonic()
    with KlaviyoClient(klaviyo.url, timeout=2.0) as client:
        verifier = Verifier(client, concurrency=8, budget=1.0)
        results = verifier.verify(keys)
    elapsed = time.monotonic() - started
    assert len(results) == 10_000
    assert elapsed < 4.0
    assert klaviyo.peak_in_flight <= 8
    checked = [c for c in results.values() if c.status is KeyStatus.REVOKED]
    skipped = [c for c in results.values() if c.status is KeyStatus.UNKNOWN]
    assert checked
    assert len(checked) + len(skipped) == 10_000
    assert all("time budget (1s) ran out" in c.reason for c in skipped)
    assert verifier.requests == len(klaviyo.log) == len(checked)


def test_retry_that_would_overrun_the_budget_is_not_waited_for() -> None:
    key = Secret(make_key("late"))
    # A frozen stand-in clock: the steady window cannot roll over between the two requests.
    with KlaviyoStandin(RateLimit(burst=100, steady=1), clock=lambda: 1000.5) as standin:
        account = standin.add_account()
        other = Secret(make_key("late-sibling"))
        standin.add_key(key, account=account)
        standin.add_key(other, account=account)
        with KlaviyoClient(standin.url) as client:
            verifier = Verifier(client, concurrency=1, budget=2.0, max_wait=120)
            results = verifier.verify([key, other])
    first, second = sorted(results.values(), key=lambda c: c.status is KeyStatus.UNKNOWN)
    assert first.status is KeyStatus.LIVE  # whichever was asked first
    assert second.status is KeyStatus.UNKNOWN
    assert "budget" in second.reason


def test_the_budget_ends_a_paced_run_on_time() -> None:
    # One account at Klaviyo's real limits (1/s, 15/min): once throttled, the run is paced
    # at a request every few seconds. The budget must end it, not the pace.
    keys = secrets("paced", 40)
    with KlaviyoStandin(RateLimit()) as standin:
        account = standin.add_account()
        for key in keys:
            standin.add_key(key, account=account)
        started = time.monotonic()
        with KlaviyoClient(standin.url) as client:
            verifier = Verifier(client, concurrency=4, budget=3.0)
            results = verifier.verify(keys)
        elapsed = time.monotonic() - started
    assert elapsed < 3.0 + 2.0  # the budget plus one request's answer, not 40 paced turns
    live = [c for c in results.values() if c.status is KeyStatus.LIVE]
    skipped = [c for c in results.values() if c.status is KeyStatus.UNKNOWN]
    assert live
    assert len(live) + len(skipped) == 40
    assert all("budget" in c.reason for c in skipped)


class Exploding:
    """A prober with a bug: the run must end and re-raise, not hang the other workers."""

    def __init__(self) -> None:
        self.calls = 0

    def attempt(self, key: Secret) -> Attempt:
        self.calls += 1
        if self.calls == 3:
            raise ValueError("bug")
        time.sleep(0.01)
        return Attempt.final(KeyStatus.REVOKED, "401")


def test_a_bug_in_the_prober_ends_the_run_instead_of_hanging() -> None:
    verifier = Verifier(Exploding(), concurrency=4)
    with pytest.raises(ValueError, match="bug"):
        verifier.verify(secrets("bug", 50))


def one_account(
    label: str, count: int, limit: RateLimit, *, concurrency: int, burst_window: float
) -> tuple[dict[str, KeyCheck], list[int], Verifier]:
    """*count* live keys of one account behind a stand-in at *limit*, verified: what came
    back, the statuses the stand-in answered, and the verifier (its counts)."""
    keys = secrets(label, count)
    with KlaviyoStandin(limit) as standin:
        account = standin.add_account()
        for key in keys:
            standin.add_key(key, account=account)
        with KlaviyoClient(standin.url) as client:
            verifier = Verifier(client, concurrency=concurrency, burst_window=burst_window)
            results = verifier.verify(keys)
        statuses = [e.status for e in standin.log.entries()]
    return results, statuses, verifier


def test_a_429_storm_on_one_account_pauses_the_run_and_paces_it() -> None:
    # Burst 2 / steady 30 per "minute", with the windows scaled to 0.05 s and 3 s.
    keys = secrets("storm", 40)
    results, statuses, verifier = one_account(
        "storm", 40, RateLimit(burst=2, steady=30, second=0.05), concurrency=8, burst_window=0.05
    )
    assert [c.status for c in results.values()] == [KeyStatus.LIVE] * len(keys)
    assert statuses.count(200) == len(keys)
    assert statuses.count(429) <= len(keys)  # at most one throttled answer per key
    assert verifier.throttled == statuses.count(429)
    assert verifier.requests == len(statuses)


def test_many_accounts_are_verified_each_at_its_own_pace_not_one_after_another() -> None:
    # 20 accounts of 5 live keys at Klaviyo's limits, the windows scaled to 0.1 s / 6 s.
    # Each account at its own pace needs 5 burst windows (0.5 s); the run paced as one
    # account would need 100 (10 s) at best. The budget is half that: a run paced as one
    # account leaves keys unknown.
    keys = secrets("spread", 100)
    with KlaviyoStandin(RateLimit(second=0.1)) as standin:
        accounts = [standin.add_account() for _ in range(20)]
        for i, key in enumerate(keys):
            standin.add_key(key, account=accounts[i % 20])
        with KlaviyoClient(standin.url) as client:
            verifier = Verifier(client, concurrency=8, budget=5.0, burst_window=0.1)
            results = verifier.verify(keys)
        statuses = [e.status for e in standin.log.entries()]
    assert [c.status for c in results.values()] == [KeyStatus.LIVE] * len(keys)
    assert statuses.count(429) == verifier.throttled <= len(keys) // 2
    assert len({c.account.id for c in results.values() if c.account is not None}) == 20


def test_one_account_at_klaviyo_limits_gets_one_request_per_burst_window() -> None:
    # 30 keys of one account at Klaviyo's limits (1 per burst window, 15 per steady window;
    # scaled to 0.05 s / 3 s): two steady windows' worth. Unpaced, most requests would be
    # 429s; paced, the 429s are those of the opening (the requests in flight when the first
    # 429 comes back) and about one per window after.
    keys = secrets("single", 30)
    results, statuses, verifier = one_account(
        "single", 30, RateLimit(second=0.05), concurrency=8, burst_window=0.05
    )
    assert [c.status for c in results.values()] == [KeyStatus.LIVE] * len(keys)
    assert statuses.count(200) == len(keys)
    assert statuses.count(429) == verifier.throttled <= 2 * 8


def test_keys_left_in_one_account_after_many_others_get_at_most_a_429_each() -> None:
    # 30 accounts of one key and one of 30: the pace widens for the many accounts, and must
    # narrow again for the one whose keys are left, not keep asking at 30 accounts' rate.
    crowd, single = secrets("crowd", 30), secrets("big", 30)
    with KlaviyoStandin(RateLimit(second=0.1)) as standin:
        big = standin.add_account()
        for key in crowd:
            standin.add_key(key)
        for key in single:
            standin.add_key(key, account=big)
        with KlaviyoClient(standin.url) as client:
            verifier = Verifier(client, concurrency=8, burst_window=0.1)
            results = verifier.verify(crowd + single)
        entries = standin.log.entries()
    big_keys = {key.fingerprint for key in single}
    assert {c.status for c in results.values()} == {KeyStatus.LIVE}
    assert sum(1 for e in entries if e.status == 429 and e.fingerprint in big_keys) <= len(single)
    assert sum(1 for e in entries if e.status == 429) == verifier.throttled
