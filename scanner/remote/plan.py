"""From the targets named to what a fleet sweep does: the full list of names, and how to
sweep each (:class:`MirrorSweeper`). Remote owners are listed here, in the calling
process, so the list is known (and shardable) before any repository is touched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.findings import ScanIssue
from scanner.remote.endpoints import Endpoints, Token
from scanner.remote.enumerate import RemoteIssue, enumerate_targets
from scanner.remote.sweeper import MirrorSweeper
from scanner.remote.targets import Forge, is_remote, parse

#: Seconds one rate-limit wait may last, and one clone or fetch, unless told otherwise.
API_WAIT_MAX = 60.0
CLONE_TIMEOUT = 1800.0


@dataclass(frozen=True)
class RemoteOptions:
    """How remote targets are listed and mirrored."""

    cache_dir: Path
    include_forks: bool = False
    pull_refs: bool = True
    api_wait_max: float = API_WAIT_MAX
    clone_timeout: float | None = CLONE_TIMEOUT  # None: no limit


@dataclass(frozen=True)
class Plan:
    """``names`` is every target, local paths and remote full names, each once, sorted:
    the list shards are drawn from and digested."""

    names: tuple[str, ...]
    sweeper: MirrorSweeper
    issues: tuple[RemoteIssue, ...] = ()
    api_calls: int = 0
    waits: tuple[ScanIssue, ...] = ()

    @property
    def remote(self) -> bool:
        return bool(self.sweeper.repos) or bool(self.issues) or self.api_calls > 0

    @property
    def repositories(self) -> int:
        return len(self.sweeper.repos)


def plan(
    texts: Sequence[str],
    options: RemoteOptions,
    endpoints: Endpoints,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> Plan:
    """What to sweep for the targets *texts* (a UsageError for a malformed remote one)."""
    servers = endpoints.servers
    local: list[str] = []
    remote = []
    for text in texts:
        if is_remote(text):
            remote.append(parse(text, servers))
        else:
            local.append(os.path.normpath(text))
    listed = enumerate_targets(
        remote,
        endpoints,
        include_forks=options.include_forks,
        wait_max=options.api_wait_max,
        clock=clock,
        sleep=sleep,
    )
    repos = {repo.name: repo for repo in listed.repos}
    tokens: Mapping[Forge, Token] = {
        forge: token for forge in Forge if (token := endpoints.of(forge).token) is not None
    }
    variables = {f: " or ".join(endpoints.of(f).token_variables) for f in Forge}
    sweeper = MirrorSweeper(
        repos,
        options.cache_dir,
        tokens,
        options.pull_refs,
        variables,
        clone_timeout=options.clone_timeout,
    )
    names = tuple(sorted({*local, *repos}))
    return Plan(names, sweeper, listed.issues, listed.api_calls, listed.waits)
