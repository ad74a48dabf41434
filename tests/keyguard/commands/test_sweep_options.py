"""What the sweep reads, as records: the history range and the fleet of targets."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import click
import pytest

from keyguard import error_wording
from keyguard.commands.sweep_options import Fleet, HistoryRange, history_options
from plugins.errors import UsageError
from scanner.shard import Shard, select_targets
from scanner.sweep import SweepOptions

OLD, NEW, ZERO = "a" * 40, "b" * 40, "0" * 40


@click.command()
@history_options
def _echo(*, history: HistoryRange) -> HistoryRange:
    return history


def test_the_flags_build_the_range() -> None:
    assert _echo.main([], standalone_mode=False) == HistoryRange()
    parsed = _echo.main(["--ref", "main", "--ref", "v1", "--no-worktree"], standalone_mode=False)
    assert parsed == HistoryRange(refs=("main", "v1"), worktree=False)


def test_without_pre_push_the_range_is_the_flags() -> None:
    history = HistoryRange(since="v1", refs=("main",), worktree=False)
    expected = SweepOptions(since="v1", refs=("main",), worktree=False)
    assert history.sweep_options({"PRE_COMMIT_TO_REF": NEW}) == expected
    with pytest.raises(UsageError) as caught:
        HistoryRange(unreachable=True, since="v1").sweep_options({})
    assert re.search("--unreachable reads every object", error_wording.message(caught.value))


def test_pre_push_takes_the_range_from_pre_commit() -> None:
    pushed = {"PRE_COMMIT_FROM_REF": OLD, "PRE_COMMIT_TO_REF": NEW}
    expected = SweepOptions(refs=(NEW,), since=OLD, worktree=False)
    assert HistoryRange(pre_push=True).sweep_options(pushed) == expected


def test_a_pushed_deletion_sweeps_nothing() -> None:
    assert HistoryRange(pre_push=True).sweep_options({"PRE_COMMIT_TO_REF": ZERO}) is None


def test_a_new_branch_is_what_no_remote_holds() -> None:
    new_branch = {"PRE_COMMIT_FROM_REF": ZERO, "PRE_COMMIT_LOCAL_BRANCH": "topic"}
    options = HistoryRange(pre_push=True).sweep_options(new_branch)
    assert options == SweepOptions(refs=("topic",), exclude_remotes=True)
    assert HistoryRange(pre_push=True).sweep_options({}) == SweepOptions(
        refs=("HEAD",), exclude_remotes=True
    )


def test_pre_push_refuses_a_range_of_its_own() -> None:
    for history in (
        HistoryRange(pre_push=True, since="v1"),
        HistoryRange(pre_push=True, refs=("main",)),
        HistoryRange(pre_push=True, unreachable=True),
    ):
        with pytest.raises(UsageError, match="--pre-push sets the range itself"):
            history.sweep_options({})


def test_targets_and_targets_from_make_one_list(tmp_path: Path) -> None:
    listing = tmp_path / "targets.txt"
    listing.write_text("# repositories\nb\n\n  c  \na\n", encoding="utf-8")
    fleet = Fleet.of(("a",), listing, None, 3)
    assert fleet == Fleet(("a", "b", "c", "a"), None, 3)
    assert select_targets(fleet.named, fleet.share) == ["a", "b", "c"]


def test_no_target_is_the_current_directory() -> None:
    assert Fleet.of((), None, None, None) == Fleet((".",), None, os.cpu_count() or 1)


def test_an_empty_targets_from_is_refused(tmp_path: Path) -> None:
    (tmp_path / "none.txt").write_text("# nothing matched\n", encoding="utf-8")
    with pytest.raises(UsageError, match="names no targets"):
        Fleet.of((), tmp_path / "none.txt", None, None)
    with pytest.raises(UsageError, match="cannot read --targets-from"):
        Fleet.of((), tmp_path / "missing.txt", None, None)


def test_targets_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("x\ny\n"))
    assert Fleet.of((), Path("-"), None, 1).named == ("x", "y")


def test_a_shard_takes_its_share_of_all_the_names() -> None:
    names = tuple(f"repo-{i}" for i in range(20))
    shares = [Fleet.of(names, None, f"{i}/3", 1) for i in range(3)]
    assert [fleet.share for fleet in shares] == [Shard(i, 3) for i in range(3)]
    assert all(fleet.named == names for fleet in shares)
    chosen = [target for fleet in shares for target in select_targets(fleet.named, fleet.share)]
    assert sorted(chosen) == sorted(names)
    with pytest.raises(UsageError, match="expected I/N"):
        Fleet.of(names, None, "half", 1)
