"""The Klaviyo API client: is this key alive, whose is it, and the beta API-keys endpoints.

One ``GET /api/accounts`` per check, asking only for non-personal fields. The key travels
in the ``Authorization`` header and nowhere else: no exception, log line or reason string
built here contains it (httpx errors are turned into one-line reasons, scrubbed anyway).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import httpx

from plugins.client.api_keys import CORE_WRITE_SCOPES, ApiKeyInfo, api_key_info, same_suffix
from plugins.client.defaults import (
    BETA_REVISION,
    DEFAULT_BASE_URL,
    DEFAULT_REVISION,
    ENV_URL,
    REVISION_CHECKED,
)
from plugins.client.responses import (
    AUTH_ERROR_CODES,
    Account,
    Attempt,
    AttemptKind,
    KeyCheck,
    classify,
    error_codes,
    parse_json,
    retry_after,
)
from plugins.client.transport import describe_transport_error, environment_proxy, scrub
from plugins.errors import ErrorKind, KeyguardError, UsageError
from plugins.key_status import KeyStatus
from plugins.pattern import Secret

__all__ = [
    "BETA_REVISION",
    "CORE_WRITE_SCOPES",
    "DEFAULT_BASE_URL",
    "DEFAULT_REVISION",
    "ENV_URL",
    "REVISION_CHECKED",
    "Account",
    "ApiKeyInfo",
    "Attempt",
    "AttemptKind",
    "BetaEndpointUnavailable",
    "KeyCheck",
    "KeyStatus",
    "KlaviyoApiError",
    "KlaviyoClient",
]

ACCOUNT_FIELDS = "public_api_key,test_account"
_BACKOFF_BASE = 0.5


class KlaviyoApiError(KeyguardError):
    """A Klaviyo API call failed in a way the caller has to handle (nothing was read)."""

    kind = ErrorKind.UNREADABLE


class BetaEndpointUnavailable(KlaviyoApiError):
    """The beta API-keys endpoint answered 404/410: gone, renamed, or not for this account."""


class KlaviyoUrlError(UsageError):
    """The base URL is not an http(s) URL."""


class KlaviyoClient:
    """Talks to the Klaviyo API (or a stand-in at *base_url*). A context manager.

    *http* lets the caller share or configure the httpx client (the caller then closes it);
    *sleep* is injectable so tests of backoff run fast. Proxies from the environment are
    honoured (``trust_env``), as a corporate network needs.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        revision: str = DEFAULT_REVISION,
        http: httpx.Client | None = None,
        timeout: float = 10.0,
        max_attempts: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 65.0,  # Klaviyo asks for up to 60 s in its per-minute window
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise KlaviyoUrlError(
                f"Klaviyo URL {base_url!r} is not http(s)", kind=ErrorKind.KLAVIYO_URL_INVALID
            )
        self.base_url = base_url.rstrip("/")
        self.revision = revision
        #: Beta endpoints need the ``.pre`` form of the revision.
        self.beta_revision = revision if revision.endswith(".pre") else revision + ".pre"
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.max_wait = max_wait
        self._sleep = sleep
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout, trust_env=True)
        self._proxy = environment_proxy(self.base_url) if http is None else None

    # -- lifecycle -------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> KlaviyoClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"KlaviyoClient({self.base_url!r}, revision={self.revision!r})"

    # -- one request -------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        path: str,
        key: Secret,
        *,
        revision: str,
        params: dict[str, str] | None = None,
        body: Any = None,
    ) -> httpx.Response | str:
        """One HTTP request; a transport failure comes back as a one-line reason."""
        headers = {
            "Authorization": f"Klaviyo-API-Key {key.reveal()}",
            "revision": revision,
            "accept": "application/vnd.api+json",
        }
        if body is not None:
            headers["content-type"] = "application/vnd.api+json"
        try:
            return self._http.request(
                method,
                self.base_url + path,
                headers=headers,
                params=params,
                json=body,
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:  # never re-raised: its request carries the header
            reason = describe_transport_error(exc, self.timeout)
            if self._proxy is not None and isinstance(exc, httpx.TransportError):
                reason += f" (through the proxy {self._proxy} set in the environment)"
            return scrub(reason, key.reveal())

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.max_wait, _BACKOFF_BASE * 2.0 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography

    # -- key checks ----------------------------------------------------------------------------
    def attempt(self, key: Secret) -> Attempt:
        """One request about *key*, classified; the bulk verifier schedules retries itself."""
        response = self._send(
            "GET",
            "/api/accounts",
            key,
            revision=self.revision,
            params={"fields[account]": ACCOUNT_FIELDS},
        )
        if isinstance(response, str):
            return Attempt(AttemptKind.TRANSIENT, response)
        return classify(response.status_code, response.headers, response.content)

    def check(self, key: Secret) -> KeyCheck:
        """Is *key* live? Retries 429 / 5xx / network failures within the configured bounds."""
        attempts = 0
        while True:
            outcome = self.attempt(key)
            attempts += 1
            if outcome.check is not None:
                return outcome.check
            if attempts >= self.max_attempts:
                return KeyCheck(
                    KeyStatus.UNKNOWN, None, f"{outcome.reason} (gave up after {attempts} tries)"
                )
            wait = outcome.wait if outcome.wait is not None else self._backoff(attempts)
            if wait > self.max_wait:
                return KeyCheck(
                    KeyStatus.UNKNOWN,
                    None,
                    f"{outcome.reason}: asked to wait {wait:.0f}s, more than {self.max_wait:g}s",
                )
            self._sleep(wait)

    # -- beta API-keys endpoints --------------------------------------------------------------
    def _admin(
        self,
        method: str,
        path: str,
        admin_key: Secret,
        *,
        body: Any = None,
        what: str,
        missing: str | None = None,
    ) -> Any:
        """A beta-endpoint call with the same retry bounds; raises a one-line error on failure."""
        attempts = 0
        while True:
            response = self._send(method, path, admin_key, revision=self.beta_revision, body=body)
            attempts += 1
            if isinstance(response, str):
                reason, wait = response, None
            elif response.status_code == 429 or response.status_code >= 500:
                reason = f"HTTP {response.status_code}"
                wait = retry_after(response.headers) if response.status_code == 429 else None
            else:
                return self._admin_result(response, what, missing)
            if attempts >= self.max_attempts:
                raise KlaviyoApiError(f"{what} failed: {reason} (gave up after {attempts} tries)")
            wait = wait if wait is not None else self._backoff(attempts)
            if wait > self.max_wait:
                raise KlaviyoApiError(f"{what} failed: rate limited for {wait:.0f}s; try later")
            self._sleep(wait)

    def _admin_result(self, response: httpx.Response, what: str, missing: str | None) -> Any:
        status = response.status_code
        document = parse_json(response.content)
        if status == 404 and missing is not None and error_codes(document):
            raise KlaviyoApiError(f"{what}: {missing}")
        if status in (404, 410):
            raise BetaEndpointUnavailable(
                f"{what}: the beta API-keys endpoint answered {status}; it may have changed or "
                "been removed: use Settings > API Keys in Klaviyo instead"
            )
        codes = error_codes(document)
        if status == 401 or (status == 400 and AUTH_ERROR_CODES.intersection(codes)):
            raise KlaviyoApiError(
                f"{what}: the admin key was rejected ({status}); check it is live"
            )
        if status == 403:
            raise KlaviyoApiError(
                f"{what}: the admin key lacks the credentials scope it needs (403); "
                "create one with credentials:read (and credentials:write to disable keys)"
            )
        if status != 200 or not isinstance(document, dict):
            raise KlaviyoApiError(f"{what}: unexpected answer (HTTP {status})")
        return document

    def list_api_keys(self, admin_key: Secret) -> tuple[ApiKeyInfo, ...]:
        """Every private key of the admin key's account (beta; needs ``credentials:read``)."""
        found: list[ApiKeyInfo] = []
        path: str | None = "/api/api-keys"
        pages = 0
        while path is not None and pages < 1000:  # a bound against a server that loops
            document = self._admin("GET", path, admin_key, what="listing API keys")
            pages += 1
            data = document.get("data")
            for resource in data if isinstance(data, list) else []:
                info = api_key_info(resource)
                if info is not None:
                    found.append(info)
            path = self._next_path(document)
        return tuple(found)

    def _next_path(self, document: dict[str, Any]) -> str | None:
        links = document.get("links")
        next_url = links.get("next") if isinstance(links, dict) else None
        if not isinstance(next_url, str) or not next_url:
            return None
        # Follow only links on our own base URL: a next link must not send the key elsewhere.
        if next_url.startswith(self.base_url + "/"):
            return next_url[len(self.base_url) :]
        if next_url.startswith("/"):
            return next_url
        raise KlaviyoApiError("listing API keys: a pagination link points at another host")

    def find_api_key(self, admin_key: Secret, key: Secret) -> ApiKeyInfo:
        """The active entry for *key*, told apart by its redacted suffix; one, or an error."""
        matches = [
            k for k in same_suffix(self.list_api_keys(admin_key), key) if k.status != "disabled"
        ]
        if len(matches) != 1:
            raise KlaviyoApiError(
                f"{len(matches)} active keys end like {key.redacted} in the admin key's account; "
                "disable the right one in Settings > API Keys"
            )
        return matches[0]

    def disable_api_key(self, admin_key: Secret, key_id: str) -> ApiKeyInfo:
        """Disable the key with id *key_id* (beta; needs ``credentials:write``)."""
        body = {"data": {"type": "api-key", "id": key_id, "attributes": {"status": "disabled"}}}
        document = self._admin(
            "PATCH",
            f"/api/api-keys/{key_id}",
            admin_key,
            body=body,
            what="disabling an API key",
            missing=f"no API key {key_id!r} in this account, or the beta endpoint is gone (404)",
        )
        info = api_key_info(document.get("data"))
        if info is None:
            raise KlaviyoApiError("disabling an API key: the answer did not describe the key")
        return info
