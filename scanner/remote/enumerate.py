"""From the remote targets named to the sorted list of repositories to sweep.

Forge targets cost one API call per page of 100 repositories; URL targets cost none.
What cannot be listed (an owner that does not exist, a refused token, a spent rate
limit, a URL with credentials in it) becomes one :class:`RemoteIssue` and the other
targets are still listed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from plugins.errors import ErrorKind
from scanner.findings import ScanIssue
from scanner.remote.endpoints import Endpoint, Endpoints
from scanner.remote.repo import RemoteRepo

if TYPE_CHECKING:
    from scanner.remote.api import ApiClient, ApiError

from scanner.remote.targets import (
    Forge,
    ForgeTarget,
    RefusedTarget,
    RemoteTarget,
    UrlTarget,
)


@dataclass(frozen=True)
class RemoteIssue:
    """A target that gave no repositories: ``problem`` is an :class:`ApiProblem` value or
    ``credentials-in-url``; ``detail`` is one line of facts, without a secret; ``kind`` and
    ``facts`` let the command line add the next step."""

    target: str
    problem: str
    detail: str
    forge: Forge | None = None
    kind: ErrorKind | None = None
    facts: tuple[tuple[str, str], ...] = ()

    def as_note(self) -> ScanIssue:
        return ScanIssue(self.target, self.detail, self.kind, self.facts)


_REFUSED = "credentials in a URL are refused (they would be stored in the clone cache)"


def _issue(target: ForgeTarget, exc: ApiError, endpoint: Endpoint) -> RemoteIssue:
    kind, facts = exc.kind, tuple(exc.facts.items())
    from scanner.remote.api import ApiProblem

    if exc.problem is ApiProblem.NOT_FOUND and endpoint.token is None:
        kind = ErrorKind.FORGE_PRIVATE_UNSEEN
        facts = (("variables", " or ".join(endpoint.token_variables)),)
    return RemoteIssue(target.name, exc.problem.value, exc.detail, target.forge, kind, facts)


@dataclass(frozen=True)
class Enumeration:
    repos: tuple[RemoteRepo, ...]  # by full name, each once
    issues: tuple[RemoteIssue, ...]
    api_calls: int = 0
    waits: tuple[ScanIssue, ...] = ()  # each rate-limit wait, under the target it delayed


def enumerate_targets(
    targets: Sequence[RemoteTarget],
    endpoints: Endpoints,
    *,
    include_forks: bool = False,
    wait_max: float = 60.0,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Enumeration:
    # httpx only when a forge is asked: a sweep of local paths never imports it.
    from scanner.remote.api import ApiClient, ApiError, ApiLog

    log = ApiLog()
    clients: dict[Forge, ApiClient] = {}
    repos: dict[str, RemoteRepo] = {}
    issues: list[RemoteIssue] = []
    waits: list[ScanIssue] = []
    try:
        for target in targets:
            if isinstance(target, RefusedTarget):
                issues.append(
                    RemoteIssue(
                        target.shown, target.reason, _REFUSED, kind=ErrorKind.CREDENTIALS_IN_URL
                    )
                )
                continue
            if isinstance(target, UrlTarget):
                repos.setdefault(target.name, RemoteRepo(target.name, target.url, target.forge))
                continue
            client = clients.get(target.forge)
            if client is None:
                client = ApiClient(
                    endpoints.of(target.forge), wait_max=wait_max, log=log, clock=clock, sleep=sleep
                )
                clients[target.forge] = client
            waited = len(log.waits)
            try:
                found = _list(client, target, include_forks)
            except ApiError as exc:
                waits.extend(ScanIssue(target.name, w) for w in log.waits[waited:])
                issues.append(_issue(target, exc, endpoints.of(target.forge)))
                continue
            waits.extend(ScanIssue(target.name, w) for w in log.waits[waited:])
            for repo in found:
                repos[repo.name] = repo  # the API's clone URL wins over a URL target's
    finally:
        for client in clients.values():
            client.close()
    return Enumeration(tuple(sorted(repos.values())), tuple(issues), log.calls, tuple(waits))


def _list(client: ApiClient, target: ForgeTarget, include_forks: bool) -> list[RemoteRepo]:
    from scanner.remote import github, gitlab

    lister = github.repositories if target.forge is Forge.GITHUB else gitlab.repositories
    return lister(client, target.path, include_forks=include_forks)
