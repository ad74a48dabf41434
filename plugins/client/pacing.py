"""When a bulk verification run may start its next request, from what Klaviyo answered.

Klaviyo limits per account (a burst window of one second, a steady one of a minute), and
a key's account is known only from its successful answer, so a key still waiting to be
asked never has a known account: the pace can only set how fast the run as a whole asks,
and it sets that from the accounts the run has met. Each account that answered is
remembered with the window its answer advertised (``RateLimit-Remaining`` requests left,
``RateLimit-Reset`` seconds to go); one whose window is spent does not count until it
resets. After the first 429 the run starts at most one request per burst window for each
account it allows for, the *cap*:

- at the first 429 the cap is the number of accounts met with room left;
- an answer from another account than the previous answer's raises it by one (up to the
  accounts met): keys of several accounts are being answered, so several can be asked;
- each 429 lowers it by one more than the 429s since the last answer that went through
  the limiter (2, 3, 4, ...), so a run of 429s brings it down fast;
- a 429 with the cap already at one account pauses the whole run for its ``Retry-After``
  (the keys left may all share that account), and so does every account met having spent
  its window (until the first one resets).

One account therefore gets one request per burst window and a pause when it is spent, not
a storm; a run over many accounts asks at about their combined burst rate. A run that
never met a 429 is not paced. Not thread-safe by itself: the verifier holds its lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plugins.client.responses import RateInfo


@dataclass
class _Window:
    remaining: int  # requests left in the account's steady window
    resets_at: float  # when that window resets (the verifier's clock)

    def open(self, now: float) -> bool:
        return self.remaining > 0 or now >= self.resets_at


@dataclass
class Pace:
    burst_window: float  # seconds; Klaviyo's is one
    pacing: bool = False  # after the run's first 429
    not_before: float = 0.0  # no request starts before this
    cap: int = 1  # accounts the pace allows for
    streak: int = 0  # 429s since the last answer that went through the limiter
    last_account: str | None = None
    accounts: dict[str, _Window] = field(default_factory=dict)

    def open_accounts(self, now: float) -> int:
        return sum(1 for window in self.accounts.values() if window.open(now))

    def allowed(self, now: float) -> int:
        """How many accounts the pace allows for now: one at least."""
        return max(1, min(self.cap, self.open_accounts(now)))

    def answered(self, now: float, account: str | None, rate: RateInfo | None) -> None:
        """An answer that was not a 429; *rate* is the window it advertised, if any."""
        if rate is None:
            return  # it did not go through the limiter (a 401, a 5xx): it says nothing
        self.streak = 0
        if account is None:
            return  # a window, but of an account the answer did not name (a 403)
        self.accounts[account] = _Window(rate.remaining, now + rate.reset)
        if self.pacing and account != self.last_account:
            self.cap = min(self.cap + 1, len(self.accounts))
        self.last_account = account
        if self.pacing and self.open_accounts(now) == 0:
            earliest = min(window.resets_at for window in self.accounts.values())
            self.not_before = max(self.not_before, earliest)

    def throttled(self, now: float, wait: float) -> None:
        """A 429 that asked to wait *wait* seconds."""
        self.streak += 1
        if not self.pacing:
            self.pacing = True
            self.cap = self.open_accounts(now)
        self.cap = self.allowed(now)
        if self.cap == 1:
            self.not_before = max(self.not_before, now + wait)
        self.cap = max(1, self.cap - self.streak - 1)

    def started(self, now: float) -> None:
        """A request starts now: the next one waits its turn."""
        if self.pacing:
            self.not_before = max(self.not_before, now) + self.burst_window / self.allowed(now)
