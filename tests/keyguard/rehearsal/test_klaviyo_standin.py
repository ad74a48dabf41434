"""The stand-in itself, driven with plain HTTP requests as any client would."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from keyguard.rehearsal.klaviyo_standin import Fault, KeyState, KlaviyoStandin, RateLimit
from keyguard.rehearsal.klaviyo_standin_model import RateLimiter
from tests.support.keys import make_key

REVISION = "2026-10-15"


def get_accounts(url: str, key: str | None, revision: str | None = REVISION) -> httpx.Response:
    headers = {"accept": "application/vnd.api+json"}
    if key is not None:
        headers["Authorization"] = f"Klaviyo-API-Key {key}"
    if revision is not None:
        headers["revision"] = revision
    return httpx.get(f"{url}/api/accounts", headers=headers, trust_env=False)


def test_error_body_has_the_documented_shape(klaviyo: KlaviyoStandin) -> None:
    response = get_accounts(klaviyo.url, make_key("nobody"))
    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert set(error) >= {"id", "status", "code", "title", "detail"}
    assert error["status"] == 401
    assert error["code"] == "not_authenticated"


def test_missing_authorization_and_missing_revision(klaviyo: KlaviyoStandin) -> None:
    key = make_key("rev")
    klaviyo.add_key(key)
    assert get_accounts(klaviyo.url, None).status_code == 401
    assert get_accounts(klaviyo.url, key, revision=None).status_code == 400
    assert get_accounts(klaviyo.url, key).status_code == 200


def test_rate_limit_headers_and_429_per_account() -> None:
    first, second = make_key("acct-1"), make_key("acct-2")
    with KlaviyoStandin(RateLimit(burst=1, steady=15), clock=lambda: 1000.5) as standin:
        standin.add_key(first)
        standin.add_key(second)
        ok = get_accounts(standin.url, first)
        throttled = get_accounts(standin.url, first)
        other_account = get_accounts(standin.url, second)
    assert ok.status_code == 200
    assert ok.headers["RateLimit-Limit"] == "15"
    assert ok.headers["RateLimit-Remaining"] == "14"
    assert ok.headers["RateLimit-Reset"] == "20"  # the minute ends at 1020 s: 19.5 s, rounded up
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.json()["errors"][0]["code"] == "throttled"
    assert other_account.status_code == 200


def test_rate_limiter_burst_and_steady_windows() -> None:
    now = [1000.0]
    limiter = RateLimiter(RateLimit(burst=2, steady=3), clock=lambda: now[0])
    assert limiter.take("a").allowed
    assert limiter.take("a").allowed
    burst = limiter.take("a")
    assert (burst.allowed, burst.retry_after) == (False, 1)
    now[0] += 1.0
    third = limiter.take("a")
    assert (third.allowed, third.remaining) == (True, 0)
    now[0] += 1.0
    steady = limiter.take("a")
    assert not steady.allowed
    assert steady.retry_after == 60 - (1002 % 60)
    assert limiter.take("b").allowed


def test_limited_key_gets_403_with_errors_body(klaviyo: KlaviyoStandin) -> None:
    key = make_key("limited")
    klaviyo.add_key(key, state=KeyState.LIMITED)
    response = get_accounts(klaviyo.url, key)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"


def test_request_log_holds_fingerprints_never_keys(klaviyo: KlaviyoStandin) -> None:
    key = make_key("logged")
    record = klaviyo.add_key(key)
    get_accounts(klaviyo.url, key)
    (entry,) = klaviyo.log.entries()
    assert entry.fingerprint == record.fingerprint
    assert key not in repr(klaviyo.log.entries()) + repr(klaviyo.all_keys())


def test_injected_faults_are_served_in_order_then_normal(klaviyo: KlaviyoStandin) -> None:
    key = make_key("faulty")
    klaviyo.add_key(key)
    klaviyo.inject(Fault.error(500))
    klaviyo.inject(Fault.garbage(502))
    first, second, third = (get_accounts(klaviyo.url, key) for _ in range(3))
    assert first.status_code == 500
    assert first.json()["errors"][0]["status"] == 500
    assert second.status_code == 502
    assert second.headers["content-type"] == "text/html"
    assert third.status_code == 200


def test_fault_for_one_fingerprint_spares_others(klaviyo: KlaviyoStandin) -> None:
    target, bystander = make_key("target"), make_key("bystander")
    klaviyo.add_key(target)
    record = klaviyo.add_key(bystander)
    klaviyo.inject(Fault.error(503), times=None, fingerprint=klaviyo.add_key(target).fingerprint)
    assert get_accounts(klaviyo.url, bystander).status_code == 200
    assert get_accounts(klaviyo.url, target).status_code == 503
    assert record.state is KeyState.LIVE


def test_stop_returns_promptly_while_a_request_hangs() -> None:
    key = make_key("hang")
    standin = KlaviyoStandin(None, hang_limit=30).start()
    standin.add_key(key)
    standin.inject(Fault.hang())
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            get_accounts(standin.url, key)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    standin.stop()
    thread.join(timeout=10)
    assert time.monotonic() - started < 5
    assert not thread.is_alive()
    assert outcome  # the hung request never got an answer


def test_beta_endpoints_need_a_pre_revision_and_the_scope(klaviyo: KlaviyoStandin) -> None:
    admin = make_key("admin")
    klaviyo.add_key(admin, scopes=["credentials:read"])
    url = f"{klaviyo.url}/api/api-keys"
    auth = {"Authorization": f"Klaviyo-API-Key {admin}"}
    stable = httpx.get(url, headers={**auth, "revision": REVISION}, trust_env=False)
    beta = httpx.get(url, headers={**auth, "revision": REVISION + ".pre"}, trust_env=False)
    assert stable.status_code == 404
    assert beta.status_code == 200
    (resource,) = beta.json()["data"]
    assert resource["type"] == "api-key"
    assert resource["attributes"]["redacted_key"].endswith(admin[-4:])
    assert admin not in beta.text
    patch = httpx.patch(
        f"{url}/{resource['id']}",
        headers={**auth, "revision": REVISION + ".pre"},
        json={"data": {"type": "api-key", "id": resource["id"], "attributes": {"status": "x"}}},
        trust_env=False,
    )
    assert patch.status_code == 403  # credentials:read is not credentials:write


def test_patch_rejects_a_malformed_body(klaviyo: KlaviyoStandin) -> None:
    admin = make_key("writer")
    record = klaviyo.add_key(admin, scopes=["credentials:write"])
    response = httpx.patch(
        f"{klaviyo.url}/api/api-keys/{record.id}",
        headers={"Authorization": f"Klaviyo-API-Key {admin}", "revision": REVISION + ".pre"},
        content=b"not json",
        trust_env=False,
    )
    assert response.status_code == 400
    assert klaviyo.key(record.fingerprint) == record


def test_thousands_of_keys_answer_correctly_under_concurrency(klaviyo: KlaviyoStandin) -> None:
    states = [KeyState.LIVE, KeyState.LIMITED, KeyState.DISABLED]
    keys = [make_key(f"bulk-{i}") for i in range(3000)]
    for i, key in enumerate(keys):
        klaviyo.add_key(key, state=states[i % 3])
    expected = {KeyState.LIVE: 200, KeyState.LIMITED: 403, KeyState.DISABLED: 401}
    sample = list(enumerate(keys))[::10]
    with httpx.Client(trust_env=False) as http, ThreadPoolExecutor(16) as pool:

        def status(key: str) -> int:
            headers = {"Authorization": f"Klaviyo-API-Key {key}", "revision": REVISION}
            return http.get(f"{klaviyo.url}/api/accounts", headers=headers).status_code

        got = list(pool.map(status, [k for _, k in sample]))
    assert got == [expected[states[i % 3]] for i, _ in sample]
    assert len(klaviyo.log) == len(sample)


@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_other_methods_on_accounts_are_refused(klaviyo: KlaviyoStandin, method: str) -> None:
    response = httpx.request(method, f"{klaviyo.url}/api/accounts", trust_env=False)
    assert response.status_code == 405
