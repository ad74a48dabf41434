"""What the GitHub and GitLab stand-ins know: owners, repositories, a rate-limit budget.

Nothing here is secret: the stand-ins compare the token they are given with the one they
were made with and log only whether it matched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class StandinRepo:
    """``path`` is ``owner/name`` (GitHub) or ``group/sub/name`` (GitLab).

    *private* repositories are listed only to a caller with the token; *hidden* ones to
    nobody (a token without access to them); the git server may still hold them.
    """

    path: str
    fork: bool = False
    archived: bool = False
    private: bool = False
    hidden: bool = False
    default_branch: str = "main"

    @property
    def namespace(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]


@dataclass(frozen=True)
class LoggedCall:
    method: str
    path: str  # with its query string
    status: int
    token: str  # "none", "good" or "bad": never the token


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # epoch seconds
    retry_after: int | None = None  # set for a secondary limit


class Budget:
    """*limit* calls per *window* seconds, as the forges count them, plus secondary limits
    injected by :meth:`secondary`."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.time) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._start = clock()
        self._used = 0
        self._secondary: list[int] = []

    def secondary(self, retry_after: int, times: int = 1) -> None:
        """Refuse the next *times* calls as too many at once, asking for *retry_after* s."""
        with self._lock:
            self._secondary.extend([retry_after] * times)

    def spend(self, calls: int) -> None:
        """Use up *calls* of the current window (another client's traffic)."""
        with self._lock:
            self._roll()
            self._used = min(self.limit, self._used + calls)

    def take(self) -> Decision:
        with self._lock:
            self._roll()
            reset_at = int(self._start + self.window + 0.999)
            if self._secondary:
                wait = self._secondary.pop(0)
                return Decision(False, self.limit, self.limit - self._used, reset_at, wait)
            if self._used >= self.limit:
                return Decision(False, self.limit, 0, reset_at)
            self._used += 1
            return Decision(True, self.limit, self.limit - self._used, reset_at)

    def _roll(self) -> None:
        now = self._clock()
        if now >= self._start + self.window:
            self._start, self._used = now, 0


class Forge:
    """Owners and repositories of one stand-in forge."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.owners: dict[str, str] = {}  # login -> "Organization" or "User" (GitLab: users)
        self.groups: set[str] = set()  # GitLab: group and subgroup paths
        self.repos: dict[str, StandinRepo] = {}

    def add(self, repo: StandinRepo) -> StandinRepo:
        with self._lock:
            self.repos[repo.path] = repo
        return repo

    def listed(self, namespace: str, *, nested: bool, authorized: bool) -> list[StandinRepo]:
        """Repositories of *namespace* (and of its subgroups when *nested*) in id order."""
        with self._lock:
            repos = list(self.repos.values())
        prefix = namespace + "/"
        return [
            r
            for r in repos
            if (r.namespace == namespace or (nested and r.namespace.startswith(prefix)))
            and not r.hidden
            and (authorized or not r.private)
        ]

    def find(self, path: str, *, authorized: bool) -> StandinRepo | None:
        with self._lock:
            repo = self.repos.get(path)
        if repo is None or repo.hidden or (repo.private and not authorized):
            return None
        return repo
