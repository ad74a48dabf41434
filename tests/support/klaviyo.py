"""The Klaviyo stand-in as pytest fixtures: real HTTP on 127.0.0.1, one server per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin, RateLimit

#: Generous enough that tests which are not about rate limiting never meet a 429.
NO_THROTTLE = RateLimit(burst=10_000, steady=1_000_000)


@pytest.fixture
def klaviyo() -> Iterator[KlaviyoStandin]:
    """A running stand-in without practical rate limits; add keys with ``add_key``."""
    with KlaviyoStandin(NO_THROTTLE, hang_limit=5.0) as standin:
        yield standin


@pytest.fixture
def klaviyo_limited() -> Iterator[KlaviyoStandin]:
    """A running stand-in with Klaviyo's real ``GET /api/accounts`` limits (1/s, 15/m)."""
    with KlaviyoStandin(hang_limit=5.0) as standin:
        yield standin
