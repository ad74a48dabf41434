"""What a Klaviyo API answer means: pure functions over status, headers and body.

Kept apart from the HTTP client so the classification table can be read (and tested)
on its own. Nothing here sees a key.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from plugins.key_status import KeyStatus


@dataclass(frozen=True)
class Account:
    """The non-personal facts about the account a key belongs to."""

    id: str | None
    public_key: str | None  # the 6-character site id, safe to show
    test_account: bool | None


@dataclass(frozen=True)
class KeyCheck:
    status: KeyStatus
    account: Account | None
    reason: str


@dataclass(frozen=True)
class RateInfo:
    """What an answer's ``RateLimit-*`` headers advertise: requests left in the window."""

    remaining: int
    reset: float  # seconds until the window resets


class AttemptKind(str, Enum):
    FINAL = "final"  # the answer is known
    THROTTLED = "throttled"  # 429: come back after ``wait`` seconds
    TRANSIENT = "transient"  # 5xx, network, malformed: worth another try


@dataclass(frozen=True)
class Attempt:
    """The outcome of one HTTP request about one key."""

    kind: AttemptKind
    reason: str
    check: KeyCheck | None = None
    wait: float | None = None  # seconds the server asked us to wait, when it said
    rate: RateInfo | None = None  # the account's rate-limit window, when the answer said

    @classmethod
    def final(cls, status: KeyStatus, reason: str, account: Account | None = None) -> Attempt:
        return cls(AttemptKind.FINAL, reason, KeyCheck(status, account, reason))


#: Error codes Klaviyo uses for a bad or missing private key. Older revisions answered 400.
AUTH_ERROR_CODES = frozenset(
    {"not_authenticated", "authentication_failed", "invalid_api_key", "api_key_disabled"}
)


def parse_json(body: bytes) -> Any:
    """The decoded JSON document, or ``None`` when the body is not JSON."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


def error_codes(document: Any) -> list[str]:
    """The ``code`` of each entry of a JSON:API ``errors`` array (empty when absent)."""
    if not isinstance(document, dict):
        return []
    errors = document.get("errors")
    if not isinstance(errors, list):
        return []
    return [str(e.get("code", "")) for e in errors if isinstance(e, dict)]


def has_errors_body(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("errors"), list)


def parse_account(document: Any) -> Account | None:
    """The first account of a ``GET /api/accounts`` answer; ``None`` when it has none."""
    if not isinstance(document, dict):
        return None
    data = document.get("data")
    if isinstance(data, list):
        data = data[0] if data else None
    if not isinstance(data, dict):
        return None
    attributes = data.get("attributes")
    attributes = attributes if isinstance(attributes, dict) else {}
    public_key = attributes.get("public_api_key")
    test_account = attributes.get("test_account")
    account_id = data.get("id")
    return Account(
        id=str(account_id) if account_id is not None else None,
        public_key=str(public_key) if public_key is not None else None,
        test_account=test_account if isinstance(test_account, bool) else None,
    )


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or ``RateLimit-Reset``."""
    value = headers.get("retry-after")
    if value is not None:
        value = value.strip()
        if value.isdigit():
            return float(value)
        seconds = _number(value)  # a decimal: not HTTP's form, but its meaning is plain
        if seconds is not None:
            return max(0.0, seconds)
        import email.utils  # lazily: ~40 ms, and only HTTP-date answers need it

        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - (time.time() if now is None else now))
    reset = _number(headers.get("ratelimit-reset"))
    return None if reset is None else max(0.0, reset)


def _number(value: str | None) -> float | None:
    """The first number of a header (``RateLimit-*`` may list several: ``3, 60;w=60``)."""
    if value is None:
        return None
    try:
        number = float(value.split(",")[0].split(";")[0])
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def rate_info(headers: Mapping[str, str]) -> RateInfo | None:
    """``RateLimit-Remaining`` and ``RateLimit-Reset``, when both are there and make sense."""
    remaining = _number(headers.get("ratelimit-remaining"))
    reset = _number(headers.get("ratelimit-reset"))
    if remaining is None or reset is None or remaining < 0 or reset < 0:
        return None
    return RateInfo(int(remaining), reset)


def classify(status: int, headers: Mapping[str, str], body: bytes) -> Attempt:
    """Map one ``GET /api/accounts`` answer to live / limited / revoked / retry / unknown,
    with the rate-limit window the answer advertises."""
    attempt = _classify(status, headers, body)
    rate = rate_info(headers)
    return dataclasses.replace(attempt, rate=rate) if rate is not None else attempt


def _classify(status: int, headers: Mapping[str, str], body: bytes) -> Attempt:
    document = parse_json(body)
    if status == 200:
        account = parse_account(document)
        if document is None:
            return Attempt(AttemptKind.TRANSIENT, "200 with a body that is not JSON")
        if account is None:
            return Attempt(AttemptKind.TRANSIENT, "200 with a body that is not an account document")
        return Attempt.final(KeyStatus.LIVE, "the key authenticated and read its account", account)
    if status == 401:
        return Attempt.final(KeyStatus.REVOKED, "401: the key is invalid or disabled")
    if status == 400:
        codes = error_codes(document)
        if AUTH_ERROR_CODES.intersection(codes):
            return Attempt.final(KeyStatus.REVOKED, "400 authentication error: invalid or disabled")
        shown = ", ".join(c for c in codes if c) or "no error code"
        return Attempt.final(
            KeyStatus.UNKNOWN, f"400 bad request ({shown}); check the Klaviyo URL and the revision"
        )
    if status == 403:
        if has_errors_body(document):
            return Attempt.final(
                KeyStatus.LIMITED, "403: the key is live but lacks the accounts:read scope"
            )
        return Attempt.final(
            KeyStatus.UNKNOWN, "403 without a Klaviyo error body (a proxy or firewall answered?)"
        )
    if status == 429:
        return Attempt(AttemptKind.THROTTLED, "429: rate limited", wait=retry_after(headers))
    if status >= 500:
        return Attempt(AttemptKind.TRANSIENT, f"{status}: Klaviyo server error")
    return Attempt.final(KeyStatus.UNKNOWN, f"unexpected HTTP {status}")
