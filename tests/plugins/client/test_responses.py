"""The classification table, on answers shaped like Klaviyo's (no network needed)."""

from __future__ import annotations

import email.utils
import json

import pytest

from plugins.client.responses import (
    AttemptKind,
    RateInfo,
    classify,
    rate_info,
    retry_after,
)
from plugins.key_status import KeyStatus


def errors(status: int, code: str) -> bytes:
    entry = {"id": "x", "status": status, "code": code, "title": "t", "detail": "d"}
    return json.dumps({"errors": [entry]}).encode()


ACCOUNT = json.dumps(
    {"data": [{"type": "account", "id": "XyZ789", "attributes": {"public_api_key": "XyZ789"}}]}
).encode()


@pytest.mark.parametrize(
    ("status", "body", "kind", "expected"),
    [
        (200, ACCOUNT, AttemptKind.FINAL, KeyStatus.LIVE),
        (401, errors(401, "not_authenticated"), AttemptKind.FINAL, KeyStatus.REVOKED),
        (401, b"", AttemptKind.FINAL, KeyStatus.REVOKED),
        (400, errors(400, "authentication_failed"), AttemptKind.FINAL, KeyStatus.REVOKED),
        (400, errors(400, "invalid"), AttemptKind.FINAL, KeyStatus.UNKNOWN),
        (403, errors(403, "permission_denied"), AttemptKind.FINAL, KeyStatus.LIMITED),
        (403, b"<html>denied</html>", AttemptKind.FINAL, KeyStatus.UNKNOWN),
        (404, b"", AttemptKind.FINAL, KeyStatus.UNKNOWN),
        (200, b"{", AttemptKind.TRANSIENT, None),
        (200, b'{"data": []}', AttemptKind.TRANSIENT, None),
        (429, errors(429, "throttled"), AttemptKind.THROTTLED, None),
        (500, b"", AttemptKind.TRANSIENT, None),
        (503, errors(503, "x"), AttemptKind.TRANSIENT, None),
    ],
)
def test_classification_table(
    status: int, body: bytes, kind: AttemptKind, expected: KeyStatus | None
) -> None:
    attempt = classify(status, {}, body)
    assert attempt.kind is kind
    assert (attempt.check.status if attempt.check else None) is expected
    assert attempt.reason


def test_live_account_fields_are_read_and_missing_ones_are_none() -> None:
    check = classify(200, {}, ACCOUNT).check
    assert check is not None
    assert check.account is not None
    assert (check.account.id, check.account.public_key, check.account.test_account) == (
        "XyZ789",
        "XyZ789",
        None,
    )


def test_retry_after_seconds_date_and_ratelimit_reset() -> None:
    now = 1_800_000_000.0
    assert retry_after({"retry-after": "7"}) == 7.0
    when = email.utils.formatdate(now + 12, usegmt=True)
    assert retry_after({"retry-after": when}, now=now) == pytest.approx(12.0, abs=1.0)
    assert retry_after({"ratelimit-reset": "42"}) == 42.0
    assert retry_after({"retry-after": "soon"}) is None
    assert retry_after({}) is None
    assert retry_after({"retry-after": "0.25"}) == 0.25  # a scaled-down stand-in's answer
    assert rate_info({"ratelimit-remaining": "14", "ratelimit-reset": "60, 1;w=1"}) == (
        RateInfo(14, 60.0)
    )
    assert rate_info({"ratelimit-remaining": "14"}) is None
