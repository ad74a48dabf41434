"""A local stand-in for the Klaviyo API, for tests and for rotation rehearsals.

It answers the endpoints keyguard calls the way Klaviyo does: ``GET /api/accounts``
(200 / 401 / 403 / 429 with ``Retry-After`` and ``RateLimit-*`` headers, JSON:API error
bodies) and the beta ``GET /api/api-keys`` and ``PATCH /api/api-keys/{id}``. Faults (5xx,
slow answers, non-JSON bodies, no answer at all) are injected per request. It listens on
127.0.0.1 on a free port, in a background thread; it stores and logs fingerprints only.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from keyguard.rehearsal.klaviyo_standin_model import (
    Fault,
    FaultKind,
    FaultPlan,
    KeyState,
    LoggedRequest,
    RateLimit,
    RateLimiter,
    RequestLog,
    StandinAccount,
    StandinKey,
    make_standin_key,
)
from keyguard.rehearsal.klaviyo_standin_routes import Reply, Router
from plugins.pattern import Secret, fingerprint

__all__ = [
    "Fault",
    "KeyState",
    "KlaviyoStandin",
    "LoggedRequest",
    "RateLimit",
    "StandinAccount",
    "StandinKey",
]

_ALNUM = string.ascii_letters + string.digits


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hanging handler must not hold up stop()
    request_queue_size = 1024  # bulk verification opens many connections at once
    standin: KlaviyoStandin


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API offers
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log is the record, and it holds fingerprints only."""

    def do_GET(self) -> None:
        self.server.standin.handle(self, "GET")

    def do_PATCH(self) -> None:
        self.server.standin.handle(self, "PATCH")

    def do_POST(self) -> None:
        self.server.standin.handle(self, "POST")

    def do_DELETE(self) -> None:
        self.server.standin.handle(self, "DELETE")


class KlaviyoStandin:
    """The stand-in server. ``with KlaviyoStandin() as api: api.url ...``.

    *rate_limit* applies per account (``None`` turns limiting off). *auth_failure_status*
    400 mimics older revisions that answered a bad key with 400. *api_keys_status* 404 or
    410 makes the beta API-keys endpoints absent.
    """

    def __init__(
        self,
        rate_limit: RateLimit | None = RateLimit(),  # noqa: B008 - frozen value
        *,
        auth_failure_status: int = 401,
        api_keys_status: int | None = None,
        page_size: int = 100,
        hang_limit: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # *clock* drives the rate-limit windows: tests pass one they control.
        self.limiter = RateLimiter(rate_limit, clock) if rate_limit is not None else None
        self.auth_failure_status = auth_failure_status
        self.api_keys_status = api_keys_status
        self.page_size = page_size
        self.hang_limit = hang_limit
        self.log = RequestLog()
        self.faults = FaultPlan()
        self._lock = threading.Lock()
        self._keys: dict[str, StandinKey] = {}
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._router = Router(self)
        self._in_flight = 0
        self.peak_in_flight = 0  # most requests handled at once: lets tests see concurrency

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> KlaviyoStandin:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> KlaviyoStandin:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the stand-in is not running; call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- what it knows -----------------------------------------------------------------------
    def add_account(
        self, public_key: str | None = None, *, test_account: bool = False
    ) -> StandinAccount:
        """An account; its id is its 6-character public key, as Klaviyo's are."""
        site_id = public_key or "".join(secrets.choice(_ALNUM) for _ in range(6))
        return StandinAccount(id=site_id, public_key=site_id, test_account=test_account)

    def add_key(
        self,
        key: str | Secret,
        *,
        account: StandinAccount | None = None,
        state: KeyState = KeyState.LIVE,
        scopes: Iterable[str] | None = None,
        name: str | None = None,
        created: datetime | None = None,
    ) -> StandinKey:
        """Teach the stand-in a key (a fresh account unless one is given); returns its record."""
        plain = key.reveal() if isinstance(key, Secret) else key
        record = make_standin_key(
            plain,
            account or self.add_account(),
            state=state,
            scopes=tuple(scopes) if scopes is not None else None,
            name=name,
            created=created,
        )
        with self._lock:
            self._keys[record.fingerprint] = record
        return record

    def key(self, fp: str) -> StandinKey | None:
        with self._lock:
            return self._keys.get(fp)

    def all_keys(self) -> tuple[StandinKey, ...]:
        with self._lock:
            return tuple(self._keys.values())

    def key_by_id(self, key_id: str) -> StandinKey | None:
        with self._lock:
            return next((k for k in self._keys.values() if k.id == key_id), None)

    def set_status(self, fp: str, status: str) -> StandinKey:
        """Disable (``"disabled"``) or re-enable (``"active"``) a key, as the UI would."""
        with self._lock:
            record = replace(self._keys[fp], status=status)
            self._keys[fp] = record
            return record

    def inject(
        self, fault: Fault, *, times: int | None = 1, fingerprint: str | None = None
    ) -> None:
        """Answer the next *times* requests (for one key's fingerprint, or any) with *fault*."""
        self.faults.inject(fault, times=times, fingerprint=fingerprint)

    # -- serving -----------------------------------------------------------------------------
    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            self._handle(handler, method)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("content-length") or 0)
        body = handler.rfile.read(length) if length else b""
        token = _token(handler.headers.get("authorization"))
        fp = fingerprint(token) if token else None
        revision = handler.headers.get("revision")

        fault = self.faults.take(fp)
        reply: Reply | None = None
        if fault is not None:
            if fault.kind is FaultKind.HANG:
                self._stopping.wait(self.hang_limit)
                self._record(method, parts.path, fp, 0, revision)
                handler.close_connection = True
                return
            if fault.kind is FaultKind.SLOW:
                self._stopping.wait(fault.delay)
            elif fault.kind is FaultKind.GARBAGE:
                reply = Reply(fault.status, b"<html><body>Bad gateway</body></html>", "text/html")
            else:
                reply = Reply.error(fault.status, "server_error", "A server error occurred.")
        if reply is None:
            reply = self._router.route(method, parts.path, query, body, fp, revision)
        # Record before replying: a client that has its answer can rely on the log holding it.
        self._record(method, parts.path, fp, reply.status, revision)
        self._send(handler, reply)

    def _send(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True  # the client gave up (its timeout): fine

    def _record(
        self, method: str, path: str, fp: str | None, status: int, revision: str | None
    ) -> None:
        self.log.add(LoggedRequest(method, path, fp, status, revision, at=time.monotonic()))


def _token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "klaviyo-api-key" or not value.strip():
        return None
    return value.strip()
