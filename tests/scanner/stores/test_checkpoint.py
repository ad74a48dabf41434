"""The checkpoint of a resumable sweep: one line per finished target, never a key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plugins.pattern import Secret
from scanner.findings import Occurrence, Provenance, ScanIssue
from scanner.stores.checkpoint import Checkpoint, CheckpointError, Finished
from scanner.sweep import SweepStats, TargetResult
from tests.support.keys import make_key


def result(name: str, *, key: str | None = None, error: bool = False) -> TargetResult:
    hits: tuple[tuple[Secret, Occurrence], ...] = ()
    if key is not None:
        where = Occurrence("a.py", 1, 1, 1, provenance=Provenance(name, "b" * 40, "c" * 40))
        hits = ((Secret(key), where),)
    return TargetResult(
        name,
        "mirror",
        hits,
        (ScanIssue(name, "clone failed"),) if error else (),
        (ScanIssue(name, "shallow clone"),),
        SweepStats(blobs=3, bytes=30),
    )


def test_finished_targets_are_recorded_as_they_end_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "run.checkpoint"
    key = make_key("checkpointed")
    with Checkpoint(path, "cmd-1") as checkpoint:
        checkpoint.record(result("github:acme/a"), "state-a")
        checkpoint.record(result("github:acme/b", key=key), "state-b")
        checkpoint.record(result("github:acme/c", error=True), "state-c")  # tried again next time
        assert len(path.read_text().splitlines()) == 3  # written at once, not at the end
    text = path.read_text()
    assert key not in text
    assert json.loads(text.splitlines()[0])["command"] == "cmd-1"
    again = Checkpoint(path, "cmd-1")
    assert set(again.finished) == {"github:acme/a", "github:acme/b"}
    b = again.finished["github:acme/b"]
    assert b == Finished(
        "github:acme/b",
        "mirror",
        "state-b",
        SweepStats(3, 30),
        1,
        ("b" * 40,),
        (ScanIssue("github:acme/b", "shallow clone"),),
        tuple(o for _, o in result("github:acme/b", key=key).hits),  # where, never the key
        (),  # no blob warned: its warning is the history's, said by every sweep
    )
    assert again.finished["github:acme/a"].restored() == result("github:acme/a")


def test_a_cut_last_line_is_ignored_and_another_sweep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.checkpoint"
    with Checkpoint(path, "cmd-1") as checkpoint:
        checkpoint.record(result("a"), None)
    path.write_text(path.read_text() + '{"target": "b", "ki')  # killed mid-write
    assert set(Checkpoint(path, "cmd-1").finished) == {"a"}
    with pytest.raises(CheckpointError, match="another sweep"):
        Checkpoint(path, "cmd-2")


def test_a_completed_checkpoint_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "run.checkpoint"
    with Checkpoint(path, "cmd-1") as checkpoint:
        checkpoint.record(result("a"), None)
        checkpoint.complete(1)
    fresh = Checkpoint(path, "cmd-2")  # even for another command: that sweep is over
    assert fresh.finished == {}
    with fresh:
        pass
    assert len(path.read_text().splitlines()) == 1


def test_a_file_that_is_no_checkpoint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('{"findings": []}\n')
    with pytest.raises(CheckpointError, match="not a sweep checkpoint written by keyguard"):
        Checkpoint(path, "cmd")
