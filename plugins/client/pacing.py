"""When a bulk verification run may start its next request, from what Klaviyo answered.

Klaviyo limits per account (a burst window of one second, a steady one of a minute), and
a key's account is known only from its successful answer, so a key still waiting to be
asked never has a known account: the pace can only set how fast the run as a whole asks,
and it sets that from the accounts the run has met. Each account that answered is
remembered with the window its answer advertised (``RateLimit-Remaining`` requests left,
``RateLimit-Reset`` seconds to go); one whose window is spent does not count until it
resets. After the first 429 the run starts at most one request per burst window for each
account it allows for, the *cap* (more when recent answers show the limiter did not count
some, up to four times as many: a 401 is for a key of no account):

- at the first 429 the cap is the number of accounts met with room left;
- an answer from another account than the previous answer's, with no 429 between them,
  raises it by one (up to the accounts met): keys of several accounts are being answered,
  so several can be asked;
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

_RECENT = 32  # answers: the share the limiter counted is averaged over about this many
#: However many answers were not counted, at most four requests per counted turn: the keys
#: left may be live keys of one account.
_LEAST_COUNTED = 0.25


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
    paused_until: float = 0.0  # a pause of the whole run
    next_slot: float = 0.0  # the pace's next turn
    cap: int = 1  # accounts the pace allows for
    streak: int = 0  # 429s since the last answer that went through the limiter
    last_account: str | None = None
    counted: float = 1.0  # the share of recent answers the limiter counted
    accounts: dict[str, _Window] = field(default_factory=dict)

    @property
    def not_before(self) -> float:
        """No request starts before this."""
        return max(self.paused_until, self.next_slot)

    def open_accounts(self, now: float) -> int:
        return sum(1 for window in self.accounts.values() if window.open(now))

    def allowed(self, now: float) -> int:
        """How many accounts the pace allows for now: one at least."""
        return max(1, min(self.cap, self.open_accounts(now)))

    def answered(self, now: float, account: str | None, rate: RateInfo | None) -> None:
        """An answer that was not a 429; *rate* is the window it advertised, if any."""
        self._count(counted=rate is not None)
        if rate is None:
            return  # not counted by the limiter (a 401: the key has no account)
        after_429, self.streak = self.streak > 0, 0
        if account is None:
            return  # a window, but of an account the answer did not name (a 403)
        self.accounts[account] = _Window(rate.remaining, now + rate.reset)
        if self.pacing and account != self.last_account and not after_429:
            self.cap = min(self.cap + 1, len(self.accounts))
        self.last_account = account
        if self.pacing and self.open_accounts(now) == 0:
            earliest = min(window.resets_at for window in self.accounts.values())
            self.paused_until = max(self.paused_until, earliest)

    def throttled(self, now: float, wait: float) -> None:
        """A 429 that asked to wait *wait* seconds."""
        self._count(counted=True)
        self.streak += 1
        if not self.pacing:
            self.pacing = True
            self.cap = self.open_accounts(now)
        self.cap = self.allowed(now)
        if self.cap == 1:
            self.paused_until = max(self.paused_until, now + wait)
        self.cap = max(1, self.cap - self.streak - 1)

    def started(self, now: float) -> None:
        """A request starts now: the next one waits its turn."""
        if self.pacing:
            turn = self.burst_window * max(self.counted, _LEAST_COUNTED) / self.allowed(now)
            self.next_slot = max(self.next_slot, now) + turn

    def _count(self, *, counted: bool) -> None:
        self.counted += ((1.0 if counted else 0.0) - self.counted) / _RECENT
