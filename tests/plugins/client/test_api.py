"""The Klaviyo client against the stand-in, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from keyguard.rehearsal.klaviyo_standin import Fault, KeyState, KlaviyoStandin, RateLimit
from plugins.client.api import (
    BETA_REVISION,
    DEFAULT_REVISION,
    REVISION_CHECKED,
    BetaEndpointUnavailable,
    KeyStatus,
    KlaviyoApiError,
    KlaviyoClient,
    KlaviyoUrlError,
)
from plugins.pattern import Secret
from tests.support.keys import make_key


class Sleeps:
    """Records the waits the client asks for, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def secret(label: str) -> Secret:
    return Secret(make_key(label))


@pytest.fixture
def fast_sleep() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(klaviyo: KlaviyoStandin, fast_sleep: Sleeps) -> Iterator[KlaviyoClient]:
    with KlaviyoClient(klaviyo.url, sleep=fast_sleep) as c:
        yield c


def test_live_key_reports_account_and_sends_the_documented_headers(
    klaviyo: KlaviyoStandin, client: KlaviyoClient
) -> None:
    key = secret("live")
    account = klaviyo.add_account("AbC123", test_account=True)
    klaviyo.add_key(key, account=account)
    check = client.check(key)
    assert check.status is KeyStatus.LIVE
    assert check.account is not None
    assert (check.account.id, check.account.public_key, check.account.test_account) == (
        "AbC123",
        "AbC123",
        True,
    )
    (entry,) = klaviyo.log.entries()
    assert entry.fingerprint == key.fingerprint
    assert entry.revision == DEFAULT_REVISION
    assert entry.path == "/api/accounts"


def test_the_default_revision_is_current_and_documented(
    klaviyo: KlaviyoStandin, client: KlaviyoClient
) -> None:
    # Klaviyo's current stable revision when this was last checked (REVISION_CHECKED).
    key = secret("revision")
    klaviyo.add_key(key)
    client.check(key)
    (entry,) = klaviyo.log.entries()
    assert entry.revision == "2026-10-15"
    doc = (Path(__file__).resolve().parents[3] / "docs" / "verification.md").read_text()
    assert f"`revision: {DEFAULT_REVISION}`" in doc
    assert f"last checked on {REVISION_CHECKED}" in doc


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (KeyState.LIVE, KeyStatus.LIVE),
        (KeyState.LIMITED, KeyStatus.LIMITED),
        (KeyState.DISABLED, KeyStatus.REVOKED),
    ],
)
def test_each_key_state_is_classified(
    klaviyo: KlaviyoStandin, client: KlaviyoClient, state: KeyState, expected: KeyStatus
) -> None:
    key = secret(f"state-{state.value}")
    klaviyo.add_key(key, state=state)
    assert client.check(key).status is expected


def test_unknown_key_is_revoked(client: KlaviyoClient) -> None:
    check = client.check(secret("never-issued"))
    assert check.status is KeyStatus.REVOKED
    assert "401" in check.reason


def test_legacy_400_authentication_error_is_revoked(fast_sleep: Sleeps) -> None:
    with (
        KlaviyoStandin(None, auth_failure_status=400) as standin,
        KlaviyoClient(standin.url, sleep=fast_sleep) as c,
    ):
        check = c.check(secret("legacy"))
    assert check.status is KeyStatus.REVOKED
    assert "400" in check.reason


def test_400_without_auth_code_is_unknown_not_revoked(
    klaviyo: KlaviyoStandin, fast_sleep: Sleeps
) -> None:
    key = secret("bad-revision")
    klaviyo.add_key(key)
    with KlaviyoClient(klaviyo.url, revision="yesterday", sleep=fast_sleep) as c:
        check = c.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert "400" in check.reason


class Clock:
    """Time that moves only when the client sleeps: rate-limit windows without flakiness."""

    def __init__(self) -> None:
        self.now = 1000.25
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_429_waits_as_retry_after_says_then_succeeds() -> None:
    key = secret("throttled")
    clock = Clock()
    with KlaviyoStandin(RateLimit(burst=1, steady=100), clock=clock) as standin:
        standin.add_key(key)
        with KlaviyoClient(standin.url, sleep=clock.sleep) as c:
            first, second = c.check(key), c.check(key)
        statuses = [e.status for e in standin.log.entries()]
    assert first.status is second.status is KeyStatus.LIVE
    assert statuses == [200, 429, 200]
    assert clock.waits == [1.0]  # the stand-in's Retry-After: 1


def test_a_flood_of_429s_ends_unknown_with_a_reason(
    klaviyo: KlaviyoStandin, client: KlaviyoClient, fast_sleep: Sleeps
) -> None:
    key = secret("flood")
    klaviyo.add_key(key)
    klaviyo.inject(Fault.error(429), times=None)
    check = client.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert "429" in check.reason
    assert len(klaviyo.log) == client.max_attempts


def test_retry_after_longer_than_max_wait_gives_up_at_once(
    fast_sleep: Sleeps,
) -> None:
    key = secret("steady-window")
    with KlaviyoStandin(RateLimit(burst=100, steady=1), clock=Clock()) as standin:
        standin.add_key(key)
        with KlaviyoClient(standin.url, sleep=fast_sleep, max_wait=0.5) as c:
            assert c.check(key).status is KeyStatus.LIVE
            check = c.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert "more than 0.5s" in check.reason
    assert fast_sleep.waits == []


def test_5xx_is_retried_with_backoff_then_succeeds(
    klaviyo: KlaviyoStandin, client: KlaviyoClient, fast_sleep: Sleeps
) -> None:
    key = secret("flaky")
    klaviyo.add_key(key)
    klaviyo.inject(Fault.error(503), times=2)
    assert client.check(key).status is KeyStatus.LIVE
    assert len(fast_sleep.waits) == 2
    assert 0.25 <= fast_sleep.waits[0] <= 0.5  # jittered first backoff
    assert 0.5 <= fast_sleep.waits[1] <= 1.0


def test_persistent_5xx_ends_unknown(klaviyo: KlaviyoStandin, client: KlaviyoClient) -> None:
    key = secret("down")
    klaviyo.add_key(key)
    klaviyo.inject(Fault.error(502), times=None)
    check = client.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert "502" in check.reason
    assert "gave up after 4 tries" in check.reason


def test_non_json_body_is_unknown(klaviyo: KlaviyoStandin, client: KlaviyoClient) -> None:
    key = secret("html")
    klaviyo.add_key(key)
    klaviyo.inject(Fault.garbage(200), times=None)
    check = client.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert "not JSON" in check.reason


def test_403_without_error_body_is_unknown_not_limited(
    klaviyo: KlaviyoStandin, client: KlaviyoClient
) -> None:
    key = secret("waf")
    klaviyo.add_key(key)
    klaviyo.inject(Fault.garbage(403))
    check = client.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert "403" in check.reason


def test_server_that_never_answers_times_out(klaviyo: KlaviyoStandin, fast_sleep: Sleeps) -> None:
    key = secret("hang")
    klaviyo.add_key(key)
    klaviyo.inject(Fault.hang(), times=None)
    started = time.monotonic()
    with KlaviyoClient(klaviyo.url, sleep=fast_sleep, timeout=0.2, max_attempts=2) as c:
        check = c.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert "timed out after 0.2s" in check.reason
    assert time.monotonic() - started < 3


def test_slow_answer_within_timeout_is_fine(klaviyo: KlaviyoStandin, client: KlaviyoClient) -> None:
    key = secret("slow")
    klaviyo.add_key(key)
    klaviyo.inject(Fault.slow(0.3))
    assert client.check(key).status is KeyStatus.LIVE


def test_tls_failure_is_unknown_with_a_reason(klaviyo: KlaviyoStandin, fast_sleep: Sleeps) -> None:
    key = secret("tls")
    klaviyo.add_key(key)
    https_url = klaviyo.url.replace("http://", "https://")
    with KlaviyoClient(https_url, sleep=fast_sleep, max_attempts=2) as c:
        check = c.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert check.reason.startswith("TLS failure")
    assert key.reveal() not in check.reason


def test_nothing_listening_is_unknown(fast_sleep: Sleeps) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with KlaviyoClient(f"http://127.0.0.1:{port}", sleep=fast_sleep, max_attempts=2) as c:
        check = c.check(secret("refused"))
    assert check.status is KeyStatus.UNKNOWN
    assert check.reason.startswith("could not connect")


def test_dead_proxy_in_environment_does_not_crash_or_leak(
    klaviyo: KlaviyoStandin, fast_sleep: Sleeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    key = secret("proxied")
    klaviyo.add_key(key)
    with KlaviyoClient(klaviyo.url, sleep=fast_sleep, max_attempts=2) as c:
        check = c.check(key)
    assert check.status is KeyStatus.UNKNOWN
    assert "through the proxy 127.0.0.1:" in check.reason
    assert key.reveal() not in check.reason
    assert len(klaviyo.log) == 0  # the request went to the (dead) proxy, as configured


def test_non_http_url_is_a_usage_error() -> None:
    with pytest.raises(KlaviyoUrlError, match="not http"):
        KlaviyoClient("ftp://example.invalid")


def test_repr_of_client_and_secret_hide_the_key(klaviyo: KlaviyoStandin) -> None:
    key = secret("repr")
    with KlaviyoClient(klaviyo.url) as c:
        assert key.reveal() not in repr(c) + repr(key) + repr(c.check(key))


def test_caller_supplied_http_client_is_used_and_left_open(klaviyo: KlaviyoStandin) -> None:
    key = secret("shared")
    klaviyo.add_key(key)
    http = httpx.Client()
    with KlaviyoClient(klaviyo.url, http=http) as c:
        assert c.check(key).status is KeyStatus.LIVE
    assert not http.is_closed
    http.close()


# -- beta API-keys endpoints -----------------------------------------------------------------


def admin_setup(standin: KlaviyoStandin, *, count: int = 3) -> tuple[Secret, list[Secret]]:
    account = standin.add_account("Adm1n0")
    admin = secret("admin")
    standin.add_key(
        admin,
        account=account,
        scopes=["accounts:read", "credentials:read", "credentials:write"],
        name="keyguard admin",
        created=datetime(2024, 1, 2, tzinfo=timezone.utc),
    )
    others = [secret(f"other-{i}") for i in range(count)]
    for i, key in enumerate(others):
        standin.add_key(key, account=account, name=f"integration {i}")
    standin.add_key(secret("foreign"))  # another account: never listed
    return admin, others


def test_list_api_keys_pages_through_the_account(fast_sleep: Sleeps) -> None:
    with KlaviyoStandin(None, page_size=2) as standin:
        admin, others = admin_setup(standin, count=4)
        with KlaviyoClient(standin.url, sleep=fast_sleep) as c:
            keys = c.list_api_keys(admin)
        revisions = {e.revision for e in standin.log.entries()}
    assert len(keys) == 5
    assert {k.redacted_key for k in keys} == {s.redacted for s in [admin, *others]}
    assert revisions == {BETA_REVISION}
    oldest = min(keys, key=lambda k: k.created or datetime.max.replace(tzinfo=timezone.utc))
    assert oldest.name == "keyguard admin"
    assert not oldest.full_access


def test_disable_api_key_makes_the_key_revoked(
    klaviyo: KlaviyoStandin, client: KlaviyoClient
) -> None:
    admin, (victim, *_) = admin_setup(klaviyo)
    record = klaviyo.key(victim.fingerprint)
    assert record is not None
    assert client.check(victim).status is KeyStatus.LIVE
    info = client.disable_api_key(admin, record.id)
    assert info.status == "disabled"
    assert client.check(victim).status is KeyStatus.REVOKED


def test_disable_unknown_id_says_so(klaviyo: KlaviyoStandin, client: KlaviyoClient) -> None:
    admin, _ = admin_setup(klaviyo)
    with pytest.raises(KlaviyoApiError, match="no API key 'key_nope'"):
        client.disable_api_key(admin, "key_nope")


def test_admin_key_without_credentials_scope_is_told_what_to_do(
    klaviyo: KlaviyoStandin, client: KlaviyoClient
) -> None:
    weak = secret("weak-admin")
    klaviyo.add_key(weak)
    with pytest.raises(KlaviyoApiError, match=r"credentials:read") as info:
        client.list_api_keys(weak)
    assert weak.reveal() not in str(info.value)


@pytest.mark.parametrize("status", [404, 410])
def test_absent_beta_endpoint_is_reported(status: int, fast_sleep: Sleeps) -> None:
    with KlaviyoStandin(None, api_keys_status=status) as standin:
        admin, _ = admin_setup(standin)
        with (
            KlaviyoClient(standin.url, sleep=fast_sleep) as c,
            pytest.raises(BetaEndpointUnavailable, match=str(status)),
        ):
            c.list_api_keys(admin)


def test_find_api_key_by_suffix_then_disable(
    klaviyo: KlaviyoStandin, client: KlaviyoClient
) -> None:
    admin, (old, *_) = admin_setup(klaviyo)
    found = client.find_api_key(admin, old)
    assert found.redacted_key == old.redacted
    client.disable_api_key(admin, found.id)
    assert client.check(old).status is KeyStatus.REVOKED
    with pytest.raises(KlaviyoApiError, match="0 active keys end like"):
        client.find_api_key(admin, old)  # disabled keys are not candidates
