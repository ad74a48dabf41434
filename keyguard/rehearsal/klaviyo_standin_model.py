"""The state behind the Klaviyo stand-in: accounts, keys, rate limits, faults, request log.

Keys are stored by fingerprint only: the stand-in hashes whatever ``Authorization`` header
arrives and looks the hash up, so neither its memory nor its log holds a key.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum

from plugins.pattern import fingerprint as fingerprint_of
from plugins.pattern import redact


class KeyState(str, Enum):
    LIVE = "live"  # active, and can read its account
    LIMITED = "limited"  # active, without accounts:read
    DISABLED = "disabled"  # rejected with 401


@dataclass(frozen=True)
class StandinAccount:
    id: str
    public_key: str  # 6-character site id
    test_account: bool = False


@dataclass(frozen=True)
class StandinKey:
    """What the stand-in knows about one private key (never the key itself)."""

    id: str
    fingerprint: str
    redacted: str
    account: StandinAccount
    name: str
    scopes: tuple[str, ...]
    status: str  # "active" or "disabled", as the beta API-keys endpoint says
    created: datetime

    @property
    def state(self) -> KeyState:
        if self.status == "disabled":
            return KeyState.DISABLED
        return KeyState.LIVE if "accounts:read" in self.scopes else KeyState.LIMITED


DEFAULT_SCOPES = {
    KeyState.LIVE: ("accounts:read",),
    KeyState.LIMITED: ("lists:read",),
    KeyState.DISABLED: ("accounts:read",),
}


def make_standin_key(
    key: str,
    account: StandinAccount,
    *,
    state: KeyState = KeyState.LIVE,
    scopes: tuple[str, ...] | None = None,
    name: str | None = None,
    created: datetime | None = None,
) -> StandinKey:
    fp = fingerprint_of(key)
    chosen = DEFAULT_SCOPES[state] if scopes is None else scopes
    if state is KeyState.LIMITED:
        chosen = tuple(s for s in chosen if s != "accounts:read")
    elif "accounts:read" not in chosen:
        chosen = ("accounts:read", *chosen)
    return StandinKey(
        id=f"key_{fp[:16]}",
        fingerprint=fp,
        redacted=redact(key),
        account=account,
        name=name or f"key {fp[:8]}",
        scopes=chosen,
        status="disabled" if state is KeyState.DISABLED else "active",
        created=created or datetime.now(timezone.utc).replace(microsecond=0),
    )


@dataclass(frozen=True)
class RateLimit:
    """Klaviyo's two fixed windows per account; the default is ``GET /api/accounts``'s.

    *second* scales both windows (burst: one *second*, steady: 60 of them) so a test can
    play a minute of limits in a few seconds; the times it reports are then fractional.
    """

    burst: int = 1  # per second
    steady: int = 15  # per minute
    second: float = 1.0


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: float  # seconds until the steady window resets (whole seconds unless scaled)
    retry_after: float  # seconds, when not allowed


def _seconds_up(value: float, scaled: bool) -> float:
    """Whole seconds, at least one, as Klaviyo says; milliseconds when the windows are scaled."""
    if scaled:
        return max(0.001, math.ceil(value * 1000) / 1000)
    return max(1, math.ceil(value))


class RateLimiter:
    """Fixed-window counters per bucket (an account id), thread-safe."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._burst: dict[str, tuple[int, int]] = {}  # bucket -> (window index, count)
        self._steady: dict[str, tuple[int, int]] = {}

    def take(self, bucket: str) -> RateDecision:
        unit = self.limit.second
        scaled = unit != 1.0
        now = self._clock()
        burst_window, steady_window = int(now // unit), int(now // (60 * unit))
        with self._lock:
            b_index, b_count = self._burst.get(bucket, (burst_window, 0))
            s_index, s_count = self._steady.get(bucket, (steady_window, 0))
            b_count = b_count if b_index == burst_window else 0
            s_count = s_count if s_index == steady_window else 0
            steady_reset = _seconds_up((steady_window + 1) * 60 * unit - now, scaled)
            if s_count >= self.limit.steady:
                return RateDecision(False, self.limit.steady, 0, steady_reset, steady_reset)
            if b_count >= self.limit.burst:
                burst_reset = _seconds_up((burst_window + 1) * unit - now, scaled)
                remaining = self.limit.steady - s_count
                return RateDecision(False, self.limit.steady, remaining, steady_reset, burst_reset)
            self._burst[bucket] = (burst_window, b_count + 1)
            self._steady[bucket] = (steady_window, s_count + 1)
            remaining = self.limit.steady - s_count - 1
            return RateDecision(True, self.limit.steady, remaining, steady_reset, 0)


class FaultKind(str, Enum):
    STATUS = "status"  # answer with ``status`` and a Klaviyo error body
    SLOW = "slow"  # answer normally after ``delay`` seconds
    GARBAGE = "garbage"  # answer ``status`` with a body that is not JSON
    HANG = "hang"  # never answer (until the stand-in stops)


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    status: int = 503
    delay: float = 0.0

    @classmethod
    def error(cls, status: int = 503) -> Fault:
        return cls(FaultKind.STATUS, status=status)

    @classmethod
    def slow(cls, delay: float) -> Fault:
        return cls(FaultKind.SLOW, delay=delay)

    @classmethod
    def garbage(cls, status: int = 200) -> Fault:
        return cls(FaultKind.GARBAGE, status=status)

    @classmethod
    def hang(cls) -> Fault:
        return cls(FaultKind.HANG)


@dataclass
class _Armed:
    fault: Fault
    remaining: int | None  # None: forever
    fingerprint: str | None  # None: any request


class FaultPlan:
    """Faults waiting for requests: first armed, first served; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []

    def inject(
        self, fault: Fault, *, times: int | None = 1, fingerprint: str | None = None
    ) -> None:
        with self._lock:
            self._armed.append(_Armed(fault, times, fingerprint))

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def take(self, fingerprint: str | None) -> Fault | None:
        with self._lock:
            for armed in self._armed:
                if armed.fingerprint is not None and armed.fingerprint != fingerprint:
                    continue
                if armed.remaining is not None:
                    armed.remaining -= 1
                    if armed.remaining <= 0:
                        self._armed.remove(armed)
                return armed.fault
        return None


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    fingerprint: str | None  # of the presented key; never the key
    status: int
    revision: str | None
    at: float = field(compare=False)


class RequestLog:
    """Every request the stand-in answered, newest last, bounded; thread-safe."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LoggedRequest] = deque(maxlen=maxlen)

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> tuple[LoggedRequest, ...]:
        with self._lock:
            return tuple(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
