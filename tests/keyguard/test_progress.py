"""The live progress display: shown on a terminal, silent otherwise."""

from __future__ import annotations

import io

from rich.console import Console

from keyguard.progress import LiveProgress
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
