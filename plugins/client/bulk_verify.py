"""Bulk verification: many keys, one request each, bounded in concurrency and in time.

Used by ``scan --verify``, ``sweep --verify``, ``keyguard verify`` and the rotator. A
``Verifier`` lives for one run: it remembers every answer (a key is asked about once per
run, however often it was found), and its time budget covers the whole run. Results are
keyed by fingerprint; the keys themselves stay in the callers' ``Secret``s.

Klaviyo limits per account, and a key's account is known only once the key has answered,
so the run is paced per account it has met (``plugins.client.pacing``): nothing slows a run
until its first 429; then the run asks about one key per burst window for each account
whose answers show room left, widening as answers come from different accounts and
narrowing with each 429. A 429 backs off its own key for the ``Retry-After``; it pauses
every request of the run only when the pace is down to one account (all keys left may
share it: 40 keys of one account once sent 382 requests, 342 throttled, when nothing
paused), or when every account met has spent its steady window.
"""

from __future__ import annotations

import heapq
import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from plugins.client.defaults import BURST_WINDOW, DEFAULT_BUDGET, DEFAULT_CONCURRENCY
from plugins.client.pacing import Pace
from plugins.client.responses import Attempt, AttemptKind, KeyCheck
from plugins.key_status import KeyStatus
from plugins.pattern import Secret


class Prober(Protocol):
    """One classified request about one key (``KlaviyoClient.attempt``)."""

    def attempt(self, key: Secret) -> Attempt: ...


@dataclass(order=True)
class _Task:
    ready_at: float
    seq: int
    fingerprint: str = field(compare=False)
    tries: int = field(default=0, compare=False)  # transient failures so far
    throttled: int = field(default=0, compare=False)  # 429s so far


def _unknown(reason: str) -> KeyCheck:
    return KeyCheck(KeyStatus.UNKNOWN, None, reason)


class Verifier:
    """Verifies keys for one run. Thread-safe ``verify``; never prints."""

    def __init__(
        self,
        prober: Prober,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        budget: float | None = DEFAULT_BUDGET,
        max_attempts: int = 4,
        max_throttled: int = 20,
        # Klaviyo's per-minute window can ask for up to 60 s; a shorter cap turned live
        # keys into "unknown" at its real limits.
        max_wait: float = 65.0,
        burst_window: float = BURST_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.prober = prober
        self.concurrency = max(1, concurrency)
        self.budget = budget
        self.max_attempts = max(1, max_attempts)
        self.max_throttled = max_throttled
        self.max_wait = max_wait
        self._clock = clock
        self._cache: dict[str, KeyCheck] = {}
        self._deadline: float | None = None
        self._cond = threading.Condition()
        self.requests = 0  # HTTP requests made during this run
        self.throttled = 0  # of them, answered 429
        self._pace = Pace(burst_window)

    def verify(self, secrets: Iterable[Secret]) -> dict[str, KeyCheck]:
        """The check for each distinct key, by fingerprint (in first-seen order)."""
        wanted: dict[str, Secret] = {}
        for secret in secrets:
            wanted.setdefault(secret.fingerprint, secret)
        with self._cond:
            pending = {fp: s for fp, s in wanted.items() if fp not in self._cache}
        if pending:
            self._run(pending)
        with self._cond:
            return {fp: self._cache[fp] for fp in wanted}

    def verify_one(self, secret: Secret) -> KeyCheck:
        return self.verify([secret])[secret.fingerprint]

    # -- scheduling ---------------------------------------------------------------------------
    def _run(self, pending: dict[str, Secret]) -> None:
        now = self._clock()
        if self._deadline is None and self.budget is not None:
            self._deadline = now + self.budget
        # Keys found together often share an account, and Klaviyo limits per account:
        # asking in a shuffled order spreads the load over accounts (results keep input order).
        order = list(pending)
        random.shuffle(order)
        queue = [_Task(now, i, fp) for i, fp in enumerate(order)]
        heapq.heapify(queue)
        state = _RunState(queue, pending)
        workers = min(self.concurrency, len(pending))
        with ThreadPoolExecutor(workers, thread_name_prefix="keyguard-verify") as pool:
            for future in [pool.submit(self._work, state) for _ in range(workers)]:
                future.result()

    def _next(self, state: _RunState) -> _Task | None:
        """The next task whose time has come; ``None`` when the run is finished."""
        with self._cond:
            while True:
                if not state.queue:
                    if state.in_flight == 0:
                        self._cond.notify_all()
                        return None
                    self._cond.wait()
                    continue
                now = self._clock()
                if self._deadline is not None and now >= self._deadline:
                    # The budget is spent: what is left is said so at once, not in the
                    # pace's turn (a paced run would otherwise outlive its budget).
                    state.in_flight += 1
                    return heapq.heappop(state.queue)
                delay = max(state.queue[0].ready_at, self._pace.not_before) - now
                if delay > 0:
                    if self._deadline is not None:
                        delay = min(delay, self._deadline - now)
                    self._cond.wait(timeout=delay)
                    continue
                state.in_flight += 1
                self._pace.started(now)
                return heapq.heappop(state.queue)

    def _work(self, state: _RunState) -> None:
        while (task := self._next(state)) is not None:
            secret = state.secrets[task.fingerprint]
            if self._deadline is not None and self._clock() >= self._deadline:
                outcome: Attempt | KeyCheck = _unknown(
                    f"not checked: the run's verification time budget ({self.budget:g}s) ran out"
                )
            else:
                try:
                    outcome = self.prober.attempt(secret)
                except BaseException:
                    self._abandon(state)  # a bug: stop the run cleanly, keep the traceback
                    raise
            with self._cond:
                state.in_flight -= 1
                if isinstance(outcome, Attempt):
                    self.requests += 1
                    self._settle(state, task, outcome)
                else:
                    self._cache[task.fingerprint] = outcome
                self._cond.notify_all()

    def _abandon(self, state: _RunState) -> None:
        with self._cond:
            state.in_flight -= 1
            state.queue.clear()
            self._cond.notify_all()

    def _settle(self, state: _RunState, task: _Task, outcome: Attempt) -> None:
        """Record a final answer, or put the key back in the queue for later (under lock)."""
        now = self._clock()
        if outcome.kind is AttemptKind.THROTTLED:
            self.throttled += 1
            pause = outcome.wait if outcome.wait is not None else self._backoff(task.throttled + 1)
            self._pace.throttled(now, min(pause, self.max_wait))
        else:
            account = outcome.check.account if outcome.check is not None else None
            self._pace.answered(now, account.id if account is not None else None, outcome.rate)
        if outcome.check is not None:
            self._cache[task.fingerprint] = outcome.check
            return
        if outcome.kind is AttemptKind.THROTTLED:
            task.throttled += 1
            wait = outcome.wait if outcome.wait is not None else self._backoff(task.throttled)
            if task.throttled > self.max_throttled:
                self._cache[task.fingerprint] = _unknown(
                    f"{outcome.reason} {task.throttled} times; try again later"
                )
                return
        else:
            task.tries += 1
            wait = self._backoff(task.tries)
            if task.tries >= self.max_attempts:
                self._cache[task.fingerprint] = _unknown(
                    f"{outcome.reason} (gave up after {task.tries} tries)"
                )
                return
        if wait > self.max_wait:
            self._cache[task.fingerprint] = _unknown(
                f"{outcome.reason}: asked to wait {wait:.0f}s, more than {self.max_wait:g}s"
            )
            return
        ready_at = now + wait
        if self._deadline is not None and ready_at >= self._deadline:
            self._cache[task.fingerprint] = _unknown(
                f"{outcome.reason}; no time left in the run's verification budget to retry"
            )
            return
        task.ready_at = ready_at
        heapq.heappush(state.queue, task)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_wait, 0.5 * 2.0 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


@dataclass
class _RunState:
    queue: list[_Task]
    secrets: dict[str, Secret]
    in_flight: int = 0
