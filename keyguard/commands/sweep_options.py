"""What ``keyguard sweep TARGETS`` was asked, as records built once from the command line:
which history to read in each repository (:class:`HistoryRange`) and which targets, how
many at once (:class:`Fleet`)."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import click

from plugins.errors import UsageError
from scanner.shard import Shard
from scanner.sweep import SweepOptions

F = TypeVar("F", bound=Callable[..., object])
_ZERO_OIDS = frozenset({"0" * 40, "0" * 64})


@dataclass(frozen=True)
class HistoryRange:
    """Which commits and files to read in each repository, as the options said."""

    unreachable: bool = False
    since: str | None = None
    refs: tuple[str, ...] = ()
    pre_push: bool = False  # the commits being pushed, from pre-commit's variables
    worktree: bool = True

    def sweep_options(self, environ: Mapping[str, str]) -> SweepOptions | None:
        """What to read in each repository; None when a push has nothing to sweep."""
        if not self.pre_push:
            return SweepOptions(self.unreachable, self.since, self.refs, worktree=self.worktree)
        if self.since or self.refs or self.unreachable:
            raise UsageError("--pre-push sets the range itself: drop --since, --ref, --unreachable")
        to_ref = environ.get("PRE_COMMIT_TO_REF")
        from_ref = environ.get("PRE_COMMIT_FROM_REF")
        if to_ref in _ZERO_OIDS:
            return None  # deleting a remote branch pushes nothing
        if to_ref and from_ref and from_ref not in _ZERO_OIDS:
            return SweepOptions(refs=(to_ref,), since=from_ref, worktree=False)
        # A new branch whose history reaches a root commit: pre-commit passes no range, so
        # sweep what the pushed ref has that no remote-tracking ref already holds.
        local = to_ref or environ.get("PRE_COMMIT_LOCAL_BRANCH") or "HEAD"
        return SweepOptions(refs=(local,), exclude_remotes=True, worktree=self.worktree)


def history_options(func: F) -> F:
    """``--unreachable``, ``--since``, ``--ref``, ``--pre-push`` and ``--no-worktree``,
    handed to the command as one ``history: HistoryRange``."""

    @functools.wraps(func)
    def wrapper(
        *args: object,
        unreachable: bool,
        since: str | None,
        refs: tuple[str, ...],
        pre_push: bool,
        no_worktree: bool,
        **kwargs: object,
    ) -> object:
        history = HistoryRange(unreachable, since, refs, pre_push, worktree=not no_worktree)
        return func(*args, history=history, **kwargs)

    options = [
        click.option(
            "--unreachable",
            is_flag=True,
            help="Also read dangling and reflog-only objects (amended or reset commits).",
        ),
        click.option("--since", metavar="REV", help="Scan only what is not reachable from REV."),
        click.option(
            "--ref",
            "refs",
            metavar="REV",
            multiple=True,
            help="Sweep history reachable from REV instead of from every ref (repeatable).",
        ),
        click.option(
            "--pre-push",
            is_flag=True,
            help="Sweep the commits being pushed (pre-commit's PRE_COMMIT_FROM_REF/TO_REF).",
        ),
        click.option(
            "--no-worktree", is_flag=True, help="Skip untracked and modified work-tree files."
        ),
    ]
    decorated: Callable[..., object] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return cast(F, decorated)


def _read_targets(path: Path) -> list[str]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read --targets-from {path}: {exc.strerror}") from exc
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@dataclass(frozen=True)
class Fleet:
    """The targets of one sweep: all that were named (a shard's report digests the whole
    list), the share of them this run takes, and how many are swept at once."""

    named: tuple[str, ...] = (".",)
    share: Shard | None = None
    jobs: int = 1

    @classmethod
    def of(
        cls,
        targets: tuple[str, ...],
        targets_from: Path | None,
        shard: str | None,
        jobs: int | None,
    ) -> Fleet:
        """From the command line: TARGETS, then the lines of ``--targets-from``; ``.`` when
        none is named; ``--jobs`` defaults to the number of cores."""
        names = [*targets, *(_read_targets(targets_from) if targets_from else [])]
        if not names and targets_from is not None:
            # An empty list (a `find` that matched nothing) must not fall back to sweeping '.'.
            raise UsageError(f"--targets-from {targets_from} names no targets")
        share = Shard.parse(shard) if shard else None
        return cls(tuple(names or ["."]), share, jobs or os.cpu_count() or 1)
