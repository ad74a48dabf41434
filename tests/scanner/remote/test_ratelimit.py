"""Reading rate-limit headers and deciding how long to wait."""

from __future__ import annotations

from scanner.remote.ratelimit import SECONDARY_WAIT, Limit, read, throttled

NOW = 1_800_000_000.0


def test_github_headers() -> None:
    limit = read({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 30)}, NOW)
    assert limit == Limit(0, NOW + 30, None)
    assert throttled(403, limit, "API rate limit exceeded", NOW) == 31.0
    assert throttled(429, limit, "", NOW) == 31.0


def test_secondary_limit_with_and_without_retry_after() -> None:
    assert throttled(403, read({"retry-after": "7"}, NOW), "secondary rate limit", NOW) == 7.0
    assert throttled(403, Limit(), "You have exceeded a secondary rate limit", NOW) == (
        SECONDARY_WAIT
    )


def test_gitlab_headers_and_http_date_retry_after() -> None:
    limit = read({"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 5)}, NOW)
    assert limit.remaining == 0
    assert limit.reset_in(NOW) == 5
    dated = read({"Retry-After": "Fri, 15 Jan 2027 08:00:10 GMT"}, 1800000000.0)
    assert dated.retry_after is not None
    assert dated.retry_after >= 0
    assert read({"RateLimit-Reset": "12"}, NOW).reset_at == NOW + 12  # seconds, not an epoch


def test_a_plain_refusal_is_not_a_rate_limit() -> None:
    assert throttled(403, read({"x-ratelimit-remaining": "4999"}, NOW), "Forbidden", NOW) is None
    assert throttled(404, Limit(0, NOW + 5), "", NOW) is None
