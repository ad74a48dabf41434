"""The stand-in's endpoints: what Klaviyo answers, given who asks and how."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from keyguard.rehearsal.klaviyo_standin_model import (
    KeyState,
    RateDecision,
    RateLimiter,
    StandinKey,
)

_REVISION = re.compile(r"\d{4}-\d{2}-\d{2}(?:\.pre)?")
_KEY_PATH = re.compile(r"/api/api-keys/([^/]+)/?")
_TITLES = {
    400: "Invalid input.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    410: "Gone.",
    429: "Request was throttled.",
}


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/vnd.api+json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, document: Any, headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(document, separators=(",", ":")).encode("utf-8")
        return cls(status, body, headers=headers or {})

    @classmethod
    def error(
        cls, status: int, code: str, detail: str, headers: dict[str, str] | None = None
    ) -> Reply:
        """Klaviyo's JSON:API error document."""
        entry = {
            "id": str(uuid.uuid4()),
            "status": status,
            "code": code,
            "title": _TITLES.get(status, "A server error occurred."),
            "detail": detail,
            "source": {"pointer": "/data/"},
        }
        return cls.json(status, {"errors": [entry]}, headers)


def _rate_headers(decision: RateDecision) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(decision.limit),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": _seconds(decision.reset),
    }


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


class Served(Protocol):
    """What the endpoints read from the stand-in (``KlaviyoStandin`` is one): a structural
    interface, so the routes need not import the server that imports them."""

    limiter: RateLimiter | None
    auth_failure_status: int
    api_keys_status: int | None
    page_size: int

    @property
    def url(self) -> str: ...

    def key(self, fp: str) -> StandinKey | None: ...

    def all_keys(self) -> tuple[StandinKey, ...]: ...

    def key_by_id(self, key_id: str) -> StandinKey | None: ...

    def set_status(self, fp: str, status: str) -> StandinKey: ...


class Router:
    def __init__(self, standin: Served) -> None:
        self.standin = standin

    def route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: bytes,
        fp: str | None,
        revision: str | None,
    ) -> Reply:
        if path.rstrip("/") == "/api/accounts":
            if method != "GET":
                return Reply.error(405, "method_not_allowed", f"Method {method} not allowed.")
            return self._guarded(fp, revision, "accounts:read", beta=False, then=self._accounts)
        if path.rstrip("/") == "/api/api-keys" and method == "GET":
            return self._guarded(
                fp, revision, "credentials:read", beta=True, then=lambda k: self._list(k, query)
            )
        match = _KEY_PATH.fullmatch(path)
        if match and method == "PATCH":
            return self._guarded(
                fp,
                revision,
                "credentials:write",
                beta=True,
                then=lambda k: self._patch(k, match.group(1), body),
            )
        return Reply.error(404, "not_found", "The requested resource was not found.")

    def _guarded(
        self,
        fp: str | None,
        revision: str | None,
        scope: str,
        *,
        beta: bool,
        then: Any,
    ) -> Reply:
        """Authentication, revision, rate limit and scope, in the order Klaviyo checks them."""
        standin = self.standin
        if beta and standin.api_keys_status is not None:
            status = standin.api_keys_status
            return Reply.error(status, "not_found", "This endpoint is not available.")
        record = standin.key(fp) if fp else None
        if record is None or record.state is KeyState.DISABLED:
            return Reply.error(
                standin.auth_failure_status,
                "not_authenticated",
                "Missing or invalid private key.",
            )
        if revision is None or not _REVISION.fullmatch(revision):
            return Reply.error(400, "invalid", "A valid revision header is required.")
        if beta and not revision.endswith(".pre"):
            return Reply.error(404, "not_found", "Beta endpoints need a '.pre' revision.")
        headers: dict[str, str] = {}
        if standin.limiter is not None:
            decision = standin.limiter.take(record.account.id)
            if not decision.allowed:
                return Reply.error(
                    429,
                    "throttled",
                    "Request was throttled. Expected available in "
                    f"{_seconds(decision.retry_after)} second.",
                    {"Retry-After": _seconds(decision.retry_after)},
                )
            headers = _rate_headers(decision)
        if scope not in record.scopes:
            return Reply.error(
                403, "permission_denied", f"This key lacks the {scope} scope.", headers
            )
        reply: Reply = then(record)
        return replace(reply, headers={**headers, **reply.headers})

    def _accounts(self, record: StandinKey) -> Reply:
        account = record.account
        attributes = {"test_account": account.test_account, "public_api_key": account.public_key}
        document = {
            "data": [
                {
                    "type": "account",
                    "id": account.id,
                    "attributes": attributes,
                    "links": {"self": f"{self.standin.url}/api/accounts/{account.id}/"},
                }
            ],
            "links": {"self": f"{self.standin.url}/api/accounts/"},
        }
        return Reply.json(200, document)

    def _resource(self, key: StandinKey) -> dict[str, Any]:
        return {
            "type": "api-key",
            "id": key.id,
            "attributes": {
                "name": key.name,
                "status": key.status,
                "scopes": list(key.scopes),
                "created": key.created.isoformat().replace("+00:00", "Z"),
                "redacted_key": key.redacted,
            },
            "links": {"self": f"{self.standin.url}/api/api-keys/{key.id}"},
        }

    def _list(self, admin: StandinKey, query: dict[str, str]) -> Reply:
        mine = sorted(
            (k for k in self.standin.all_keys() if k.account.id == admin.account.id),
            key=lambda k: (k.created, k.id),
        )
        try:
            start = max(0, int(query.get("page[cursor]", "0")))
        except ValueError:
            return Reply.error(400, "invalid", "Invalid page cursor.")
        page = mine[start : start + self.standin.page_size]
        links: dict[str, str | None] = {"self": f"{self.standin.url}/api/api-keys", "next": None}
        if start + self.standin.page_size < len(mine):
            cursor = start + self.standin.page_size
            links["next"] = f"{self.standin.url}/api/api-keys?page%5Bcursor%5D={cursor}"
        return Reply.json(200, {"data": [self._resource(k) for k in page], "links": links})

    def _patch(self, admin: StandinKey, key_id: str, body: bytes) -> Reply:
        try:
            data = json.loads(body)["data"]
            status = data["attributes"]["status"]
            valid = data["type"] == "api-key" and data["id"] == key_id
        except (ValueError, KeyError, TypeError):
            return Reply.error(400, "invalid", "The request body is not a valid api-key document.")
        if not valid or status not in ("active", "disabled"):
            return Reply.error(400, "invalid", "Expected type api-key, a matching id and a status.")
        target = self.standin.key_by_id(key_id)
        if target is None or target.account.id != admin.account.id:
            return Reply.error(404, "not_found", f"No API key with id {key_id}.")
        updated = self.standin.set_status(target.fingerprint, status)
        return Reply.json(200, {"data": self._resource(updated)})
