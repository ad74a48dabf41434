"""A forge API client: JSON pages, one call per page, within the forge's rate limits.

Pages are followed by the ``Link: <…>; rel="next"`` header (both forges send it) or
GitLab's ``X-Next-Page``; a next page on another origin than the API is refused, so the
token never goes anywhere else. Rate limits are waited out when the wait fits in
*wait_max* seconds; past that the call fails with :attr:`ApiProblem.RATE_LIMITED` at once,
and so does every later call until the budget resets (no hammering a spent budget).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import httpx

from plugins.errors import ErrorKind, KeyguardError
from scanner.remote import ratelimit
from scanner.remote.endpoints import Endpoint
from scanner.remote.targets import Forge, without_credentials

_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_RETRIES = 2  # after a 5xx answer or a dropped connection
_FORGE_NAME = {Forge.GITHUB: "GitHub", Forge.GITLAB: "GitLab"}


class ApiProblem(str, Enum):
    NOT_FOUND = "not-found"
    UNAUTHORIZED = "unauthorized"  # 401: no token, or a bad or expired one
    FORBIDDEN = "forbidden"  # 403: the token may not read this
    RATE_LIMITED = "rate-limited"
    UNREACHABLE = "unreachable"
    BAD_ANSWER = "bad-answer"


class ApiError(KeyguardError):
    """The API did not give what was asked. The message holds no token and no URL secret;
    ``problem`` says what went wrong for the code that lists (a 404 may mean "try a user")."""

    kind = ErrorKind.UNREADABLE

    def __init__(
        self,
        message: str,
        /,
        *,
        problem: ApiProblem = ApiProblem.BAD_ANSWER,
        status: int | None = None,
        kind: ErrorKind | None = None,
        **facts: str,
    ) -> None:
        super().__init__(message, kind=kind, **facts)
        self.problem = problem
        self.status = status

    @property
    def detail(self) -> str:
        return str(self)


@dataclass
class ApiLog:
    """Calls made and waits endured, for the sweep's summary."""

    calls: int = 0
    waits: list[str] = field(default_factory=list)  # one line per wait


class ApiClient:
    """GET JSON from one forge's API (``endpoint``); *clock* and *sleep* are passed in so
    tests can drive rate-limit waits."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        wait_max: float,
        log: ApiLog | None = None,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.wait_max = wait_max
        self.log = log if log is not None else ApiLog()
        self._clock = clock
        self._sleep = sleep
        self._spent_until: float | None = None  # the budget is gone until then
        headers = {"User-Agent": "klaviyo-keyguard", "Accept": "application/json"}
        if endpoint.forge is Forge.GITHUB:
            headers.update(
                {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
            )
        if endpoint.token is not None:
            headers["Authorization"] = f"Bearer {endpoint.token.value}"
        self._http = httpx.Client(headers=headers, timeout=timeout, follow_redirects=False)
        self._origin = _origin(endpoint.api_url)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        return _FORGE_NAME[self.endpoint.forge]

    @property
    def authenticated(self) -> bool:
        """Whether a token goes with each call."""
        return self.endpoint.token is not None

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return _json(self._get(self.endpoint.api_url + path, params))

    def pages(self, path: str, params: Mapping[str, str]) -> Iterator[list[Any]]:
        """Each page of a list, one call per page."""
        url: str | None = self.endpoint.api_url + path
        query: Mapping[str, str] | None = params
        while url is not None:
            response = self._get(url, query)
            items = _json(response)
            if not isinstance(items, list):
                raise ApiError(f"{self.name} API answered a non-list")
            yield items
            url, query = self._next(response, url, query), None

    def _next(
        self, response: httpx.Response, url: str, query: Mapping[str, str] | None
    ) -> str | None:
        found = _NEXT.search(response.headers.get("link", ""))
        if found:
            following = found.group(1)
        else:
            page = response.headers.get("x-next-page", "").strip()
            if not page:
                return None
            following = str(response.request.url.copy_set_param("page", page))
        if _origin(following) != self._origin:
            raise ApiError(f"{self.name} API pointed the next page at another server; not followed")
        return following

    def _get(self, url: str, params: Mapping[str, str] | None) -> httpx.Response:
        failures = 0
        while True:
            self._wait_for_budget()
            try:
                response = self._http.get(url, params=params)
            except httpx.HTTPError as exc:
                self.log.calls += 1
                failures += 1
                if failures > _RETRIES:
                    raise ApiError(
                        f"{self.name} API at {without_credentials(self.endpoint.api_url)} "
                        f"did not answer: {type(exc).__name__}",
                        problem=ApiProblem.UNREACHABLE,
                        kind=ErrorKind.API_UNREACHABLE,
                        variable=self.endpoint.api_variable,
                    ) from exc
                self._sleep(0.5 * failures)
                continue
            self.log.calls += 1
            now = self._clock()
            limit = ratelimit.read(response.headers, now)
            if limit.remaining == 0 and limit.reset_at is not None:
                self._spent_until = limit.reset_at
            if response.is_success:
                return response
            message = _message(response)
            wait = ratelimit.throttled(response.status_code, limit, message, now)
            if wait is not None:
                self._wait(wait)
                continue
            if response.status_code >= 500 and failures < _RETRIES:
                failures += 1
                self._sleep(0.5 * failures)
                continue
            raise self._error(response.status_code, message)

    def _wait_for_budget(self) -> None:
        """Before a call: when the last answer said the budget is spent, wait for the reset."""
        if self._spent_until is None:
            return
        ahead = self._spent_until - self._clock()
        self._spent_until = None
        if ahead > 0:
            self._wait(ahead + 1.0)

    def _wait(self, seconds: float) -> None:
        if seconds > self.wait_max:
            resets = time.strftime("%H:%M:%S", time.gmtime(self._clock() + seconds))
            # Remember, so the calls that follow fail at once instead of asking again.
            self._spent_until = self._clock() + seconds
            raise ApiError(
                f"{self.name} API rate limit exhausted until {resets} UTC ({seconds:.0f} s "
                f"away), longer than the {self.wait_max:g} s allowed to wait",
                problem=ApiProblem.RATE_LIMITED,
                status=429,
                kind=ErrorKind.RATE_LIMITED,
            )
        self.log.waits.append(f"{self.name} API rate limit: waited {seconds:.0f} s")
        self._sleep(seconds)

    def _error(self, status: int, message: str) -> ApiError:
        said = f": {message}" if message else ""
        if status == 401:
            token = self.endpoint.token
            if token is not None:
                return ApiError(
                    f"{self.name} API refused the token (HTTP 401{said})",
                    problem=ApiProblem.UNAUTHORIZED,
                    status=status,
                    kind=ErrorKind.FORGE_LOGIN_REFUSED,
                    variable=token.variable,
                )
            return ApiError(
                f"{self.name} API wants a token (HTTP 401{said})",
                problem=ApiProblem.UNAUTHORIZED,
                status=status,
                kind=ErrorKind.FORGE_LOGIN_MISSING,
                variables=self._variables,
            )
        if status == 403:
            return ApiError(
                f"{self.name} API: HTTP 403{said}",
                problem=ApiProblem.FORBIDDEN,
                status=status,
                kind=ErrorKind.FORGE_ACCESS_DENIED,
                variables=self._variables,
            )
        if status == 404:
            return ApiError(
                f"{self.name} API: HTTP 404{said}", problem=ApiProblem.NOT_FOUND, status=status
            )
        return ApiError(f"{self.name} API: HTTP {status}{said}", status=status)

    @property
    def _variables(self) -> str:
        return " or ".join(self.endpoint.token_variables)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ApiError("the API answered something that is not JSON") from exc


def _message(response: httpx.Response) -> str:
    """The ``message`` of an error body (both forges send one), cut to one short line."""
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str):
        return ""
    return " ".join(message.split())[:200]
