"""``keyguard sweep`` of remote targets: ``github:OWNER``, ``gitlab:GROUP``, clone URLs.

The options are one decorator (:func:`remote_options`) handing the command one
:class:`RemoteSweep` record; :func:`prepare` lists the remote targets before the sweep and
:func:`finish` puts what listing found (problems, waits, API calls) into the result. The
core says what happened; the hints (which variable, which option) are worded here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from scanner.findings import ScanIssue
from scanner.fleet import RemoteStats, SweepResult
from scanner.git.tips import ref_state
from scanner.remote.cache import default_cache_dir
from scanner.remote.endpoints import Endpoints, from_environment
from scanner.remote.plan import API_WAIT_MAX, CLONE_TIMEOUT, Plan, RemoteOptions, plan
from scanner.remote.sweeper import MirrorSweeper, Settled
from scanner.stores.checkpoint import Checkpoint
from scanner.sweep import SweepOptions, TargetResult

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class RemoteSweep:
    """What the remote-target options asked for."""

    remote: RemoteOptions
    checkpoint: Path | None = None


def _seconds(name: str, default: float, text: str) -> Callable[[F], F]:
    """An option of SECONDS, zero or more, its default shown."""
    return click.option(
        name,
        type=click.FloatRange(min=0),
        default=default,
        show_default=True,
        metavar="SECONDS",
        help=text,
    )


def remote_options(f: F) -> F:
    """``--clone-cache``, ``--include-forks``, ``--no-pull-refs``, ``--api-wait-max``,
    ``--clone-timeout`` and ``--checkpoint``, handed to the command as one
    ``remote: RemoteSweep``."""

    @functools.wraps(f)
    def wrapper(
        *args: Any,
        clone_cache: Path | None,
        include_forks: bool,
        no_pull_refs: bool,
        api_wait_max: float,
        clone_timeout: float,
        checkpoint: Path | None,
        **kwargs: Any,
    ) -> Any:
        remote = RemoteOptions(
            cache_dir=clone_cache or default_cache_dir(os.environ),
            include_forks=include_forks,
            pull_refs=not no_pull_refs,
            api_wait_max=api_wait_max,
            clone_timeout=clone_timeout or None,
        )
        return f(*args, remote=RemoteSweep(remote, checkpoint), **kwargs)

    options = [
        click.option(
            "--clone-cache",
            type=click.Path(path_type=Path, file_okay=False),
            help="Keep the bare mirrors of remote repositories here and fetch only what is "
            "new next time.  [default: keyguard/mirrors in the user's cache directory]",
        ),
        click.option(
            "--include-forks",
            is_flag=True,
            help="Also sweep the forks an organisation or group lists (left out by default).",
        ),
        click.option(
            "--no-pull-refs",
            is_flag=True,
            help="Skip pull-request heads (refs/pull/*/head, refs/merge-requests/*/head).",
        ),
        _seconds(
            "--api-wait-max",
            API_WAIT_MAX,
            "Longest wait for a forge API rate limit to reset; past it the owner is "
            "reported unread.",
        ),
        _seconds(
            "--clone-timeout",
            CLONE_TIMEOUT,
            "Longest one clone or fetch may take; past it git is stopped and the "
            "repository reported unread (0: no limit).",
        ),
        click.option(
            "--checkpoint",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Record each finished repository here; the same command run again skips "
            "them and writes the report an uninterrupted run would have.",
        ),
    ]
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return cast(F, decorated)


def prepare(names: Sequence[str], fleet: RemoteSweep, endpoints: Endpoints | None = None) -> Plan:
    """List the remote targets among *names* (API calls happen here)."""
    return plan(names, fleet.remote, endpoints or from_environment(os.environ))


@dataclass(frozen=True)
class Run:
    """How to sweep: the sweeper (told what a checkpoint holds) and what to call as each
    target finishes (it records the target in the checkpoint, then calls the display)."""

    sweeper: MirrorSweeper
    checkpoint: Checkpoint | None

    def settle(self, chosen: Sequence[str], options: SweepOptions) -> Settled:
        """What needs no sweep (a checkpoint's, a mirror that did not move), and the rest."""
        return self.sweeper.settle(chosen, options)

    def on_target(self, then: Callable[[TargetResult], None]) -> Callable[[TargetResult], None]:
        checkpoint, sweeper = self.checkpoint, self.sweeper
        if checkpoint is None:
            return then

        def done(result: TargetResult) -> None:
            checkpoint.record(result, ref_state(sweeper.path_of(result.target)))
            then(result)

        return done


@contextlib.contextmanager
def resumable(fleet_plan: Plan, fleet: RemoteSweep, *what: object) -> Iterator[Run]:
    """A run that resumes from the checkpoint, when one was asked for; *what* (the targets,
    options and shard) tells this sweep from another one."""
    if fleet.checkpoint is None:
        yield Run(fleet_plan.sweeper, None)
        return
    remote = fleet.remote
    command = hashlib.sha256(
        repr((*what, remote.include_forks, remote.pull_refs)).encode("utf-8", "surrogateescape")
    ).hexdigest()
    with Checkpoint(fleet.checkpoint, command) as checkpoint:
        sweeper = dataclasses.replace(fleet_plan.sweeper, restore=dict(checkpoint.finished))
        yield Run(sweeper, checkpoint)
        checkpoint.complete(len(fleet_plan.names))


def finish(result: SweepResult, fleet_plan: Plan, chosen: Sequence[str]) -> SweepResult:
    """*result* with what listing found: problems as errors, waits as warnings, counts
    (the remote repositories among the *chosen* targets: a shard's share)."""
    if not fleet_plan.remote:
        return result
    errors = [issue.as_note() for issue in fleet_plan.issues]
    warnings = list(fleet_plan.waits)
    return dataclasses.replace(
        result,
        errors=tuple(sorted([*result.errors, *errors], key=_order)),
        warnings=tuple(sorted([*result.warnings, *warnings], key=_order)),
        remote=RemoteStats(
            fleet_plan.api_calls, sum(1 for name in chosen if name in fleet_plan.sweeper.repos)
        ),
    )


def _order(issue: ScanIssue) -> tuple[str, str]:
    return (issue.path, issue.message)
