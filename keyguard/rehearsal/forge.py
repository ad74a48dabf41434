"""Local stand-ins for the GitHub and GitLab REST APIs, for tests, benchmarks and rehearsals.

They answer the endpoints a fleet sweep calls the way the real APIs do: JSON bodies,
pagination by ``page``/``per_page`` with ``Link`` headers (and GitLab's ``X-Next-Page``,
``X-Total``...), rate-limit headers on every answer (``x-ratelimit-*`` on GitHub,
``RateLimit-*`` on GitLab), 403/429 once the budget is spent (``retry-after`` for a
secondary limit), and the forges' own 401/404 bodies. Each listens on 127.0.0.1 on a free
port in a background thread; its clone URLs point at a git server given to it
(:class:`keyguard.rehearsal.git_http.GitHttpServer`). Routes: :mod:`.forge_github`,
:mod:`.forge_gitlab`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit

from keyguard.rehearsal.forge_model import Budget, Decision, Forge, LoggedCall, StandinRepo

__all__ = ["Answer", "Budget", "ForgeStandin", "LoggedCall", "StandinRepo"]

_S = TypeVar("_S", bound="ForgeStandin")


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    path: str  # without the query
    query: dict[str, str]
    url: str  # the whole URL as the client sent it
    authorized: bool  # the stand-in's token was given


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    standin: ForgeStandin


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: :attr:`ForgeStandin.calls` is the record."""

    def do_GET(self) -> None:
        self.server.standin.handle(self)


class ForgeStandin:
    """A forge API on 127.0.0.1. Subclasses route (``GitHubStandin``, ``GitLabStandin``).

    *token* is the one token it accepts (None: none is needed, and any given is refused
    as bad); *budget* is the rate limit (None: unlimited); *page_size* caps ``per_page``.
    """

    header_prefix = "x-ratelimit-"
    limited_status = 403

    def __init__(
        self,
        git_url: str,
        *,
        token: str | None = None,
        budget: Budget | None = None,
        page_size: int = 100,
    ) -> None:
        self.git_url = git_url.rstrip("/")
        self.token = token
        self.budget = budget
        self.page_size = page_size
        self.send_link = True  # False: GitLab's X-Next-Page alone says there is more
        self.forge = Forge()
        self.calls: list[LoggedCall] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self: _S) -> _S:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.standin = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self: _S) -> _S:
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
        """The API's base URL (GitHub's ``GITHUB_API_URL``; GitLab's is this + ``/api/v4``)."""
        if self._server is None:
            raise RuntimeError("the stand-in is not running; call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def clone_url(self, path: str) -> str:
        return f"{self.git_url}/{path}.git"

    def add_repo(self, path: str, *, default_branch: str = "main", **flags: bool) -> StandinRepo:
        return self.forge.add(StandinRepo(path, default_branch=default_branch, **flags))

    # -- serving -----------------------------------------------------------------------------
    def given_token(self, headers: Any) -> str | None:
        header = headers.get("authorization") or ""
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("bearer", "token") and value.strip():
            return str(value.strip())
        return None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        given = self.given_token(handler.headers)
        verdict = "none" if given is None else ("good" if given == self.token else "bad")
        host = handler.headers.get("host") or "127.0.0.1"
        request = Request(parts.path, query, f"http://{host}{handler.path}", verdict == "good")
        decision = self.budget.take() if self.budget is not None else None
        if verdict == "bad":
            answer = self.unauthorized()
        elif decision is not None and not decision.allowed:
            answer = self.limited(decision)
        else:
            answer = self.route(request)
        if decision is not None:
            answer.headers.update(self.rate_headers(decision))
        with self._lock:
            self.calls.append(LoggedCall("GET", handler.path, answer.status, verdict))
        body = json.dumps(answer.body).encode("utf-8")
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def rate_headers(self, decision: Decision) -> dict[str, str]:
        p = self.header_prefix
        return {
            f"{p}limit": str(decision.limit),
            f"{p}remaining": str(decision.remaining),
            f"{p}reset": str(decision.reset_at),
        }

    def paged(
        self, request: Request, items: list[Any], extra: Callable[[int, int, int], dict[str, str]]
    ) -> Answer:
        """One page of *items*, with a ``Link`` header; *extra* adds headers by
        (page, pages, total)."""
        try:
            per_page = max(1, min(int(request.query.get("per_page", "30")), self.page_size))
            page = max(1, int(request.query.get("page", "1")))
        except ValueError:
            return Answer(400, {"message": "Invalid request."})
        pages = max(1, -(-len(items) // per_page))
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []
        if page < pages:
            links.append(f'<{_with_page(request.url, page + 1)}>; rel="next"')
            links.append(f'<{_with_page(request.url, pages)}>; rel="last"')
        if page > 1:
            links.append(f'<{_with_page(request.url, 1)}>; rel="first"')
            links.append(f'<{_with_page(request.url, page - 1)}>; rel="prev"')
        headers = {"Link": ", ".join(links)} if links and self.send_link else {}
        headers.update(extra(page, pages, len(items)))
        return Answer(200, chunk, headers)

    # -- what subclasses say -----------------------------------------------------------------
    def route(self, request: Request) -> Answer:
        raise NotImplementedError

    def unauthorized(self) -> Answer:
        raise NotImplementedError

    def limited(self, decision: Decision) -> Answer:
        raise NotImplementedError


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["page"] = str(page)
    return parts._replace(query=urlencode(query)).geturl()
