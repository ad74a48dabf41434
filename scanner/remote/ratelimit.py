"""Reading the forges' rate-limit headers, and how long to wait before asking again.

GitHub sends ``x-ratelimit-remaining`` and ``x-ratelimit-reset`` (epoch seconds) on every
answer, refuses with 403 or 429 once the budget is spent, and answers a secondary limit
(too many requests at once) with ``retry-after`` or, without one, asks clients to wait at
least a minute. GitLab sends ``RateLimit-Remaining`` and ``RateLimit-Reset`` (epoch
seconds) and refuses with 429 and ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

#: GitHub's advice for a secondary rate limit that names no time.
SECONDARY_WAIT = 60.0
#: Reset values below this are seconds from now (the IETF draft's form), above it epochs.
_EPOCH_FLOOR = 1_000_000_000


@dataclass(frozen=True)
class Limit:
    """What one answer said about the budget; None where it said nothing."""

    remaining: int | None = None
    reset_at: float | None = None  # epoch seconds
    retry_after: float | None = None  # seconds

    def reset_in(self, now: float) -> float | None:
        return None if self.reset_at is None else max(0.0, self.reset_at - now)


def _header(headers: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _retry_after(text: str | None, now: float) -> float | None:
    if text is None:
        return None
    seconds = _number(text)
    if seconds is not None:
        return max(0.0, seconds)
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - now)
    except (TypeError, ValueError):
        return None


def read(headers: Mapping[str, str], now: float) -> Limit:
    """The budget an answer's headers describe (names in any case)."""
    headers = {name.lower(): value for name, value in headers.items()}
    remaining = _number(_header(headers, "x-ratelimit-remaining", "ratelimit-remaining"))
    reset = _number(_header(headers, "x-ratelimit-reset", "ratelimit-reset"))
    if reset is not None and reset < _EPOCH_FLOOR:
        reset = now + reset
    return Limit(
        None if remaining is None else int(remaining),
        reset,
        _retry_after(_header(headers, "retry-after"), now),
    )


def throttled(status: int, limit: Limit, message: str, now: float) -> float | None:
    """Seconds to wait before asking again when *status* is a rate limit, else None."""
    if status == 403:
        limited = (
            limit.remaining == 0 or limit.retry_after is not None or "rate limit" in message.lower()
        )
        if not limited:
            return None  # a plain permission refusal
    elif status != 429:
        return None
    if limit.retry_after is not None:
        return limit.retry_after
    reset_in = limit.reset_in(now)
    if limit.remaining == 0 and reset_in is not None:
        return reset_in + 1.0  # the reset second itself may still be spent
    return SECONDARY_WAIT
