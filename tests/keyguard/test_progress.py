"""The live progress display: shown on a terminal, silent otherwise."""

from __future__ import annotations

import io
import time

from rich.console import Console

from keyguard.progress import LiveProgress
from scanner.fleet import Activity
from scanner.sweep import TargetResult


def test_progress_renders_counts_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with LiveProgress(total=2, console=console) as live:
        live.scanned(1500, 3_000_000)
        live.target_done(TargetResult("a", "repository"))
        live.progress.refresh()
    assert live.enabled
    assert "1,500 blobs" in out.getvalue()
    assert "1/2" in out.getvalue()


def test_progress_is_silent_when_piped() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False)
    with LiveProgress(total=1, console=console) as live:
        live.scanned(10, 100)
        live.target_done(TargetResult("a", "repository"))
    assert not live.enabled
    assert out.getvalue() == ""


def test_a_clone_under_way_has_a_line_of_its_own_until_it_ends() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with LiveProgress(total=3, console=console) as live:
        live.watch(Activity("github:acme/shop", "cloning"))
        live.watch(Activity("github:acme/shop", "cloning", "receiving objects", 1200, 9000))
        live.progress.refresh()
        assert "cloning github:acme/shop" in out.getvalue()
        assert "receiving objects" in out.getvalue()
        assert "1200/9000" in out.getvalue()
        assert len(live.progress.tasks) == 2
        live.watch(Activity("github:acme/shop", ""))
        assert len(live.progress.tasks) == 1  # the sweep's own line stays


def test_clones_are_not_shown_when_piped() -> None:
    out = io.StringIO()
    with LiveProgress(total=1, console=Console(file=out, force_terminal=False)) as live:
        live.watch(Activity("github:acme/shop", "cloning", "receiving objects", 1, 2))
    assert out.getvalue() == ""


def test_a_piped_sweep_of_many_targets_says_how_far_it_is_now_and_then() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False)
    with LiveProgress(total=300, console=console, heartbeat=0.01) as live:
        live.scanned(1500, 3_000_000)
        live.target_done(TargetResult("a", "repository"))
        for _ in range(500):  # the line comes from the display's own thread
            if "1 of 300 targets" in out.getvalue():
                break
            time.sleep(0.01)
    lines = out.getvalue().splitlines()
    assert lines
    assert (
        "keyguard: 1 of 300 targets swept, 1,500 blobs (3 MB) read, 0 places with a key"
        in (lines[-1])
    )


def test_one_target_piped_or_any_on_a_terminal_has_no_such_line() -> None:
    for console, total in (
        (Console(file=io.StringIO(), force_terminal=False), 1),
        (Console(file=io.StringIO(), force_terminal=True, width=120), 5),
    ):
        with LiveProgress(total=total, console=console, heartbeat=0.01) as live:
            assert live.heartbeat is None
