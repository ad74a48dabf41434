"""The sweep's console report: the scan report (keys grouped, redacted) plus where each
key lives now, warnings, and a per-target summary table. Builds renderables; never prints.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from scanner.findings import ScanResult, ScanStats
from scanner.fleet import SweepResult
from scanner.report import console


def summary_table(result: SweepResult) -> Table:
    table = Table(title="keyguard sweep", title_justify="left", show_footer=len(result.targets) > 1)
    stats = result.stats
    table.add_column("target", footer=f"{len(result.targets)} targets")
    table.add_column("kind")
    table.add_column("blobs", justify="right", footer=f"{stats.blobs:,}")
    table.add_column("files", justify="right", footer=f"{stats.files:,}")
    table.add_column("MB", justify="right", footer=f"{stats.bytes / 1e6:,.1f}")
    table.add_column(
        "keys found", justify="right", footer=str(sum(t.occurrences for t in result.targets))
    )
    table.add_column("errors", justify="right", footer=str(len(result.errors)))
    for t in result.targets:
        table.add_row(
            t.target,
            t.kind,
            f"{t.stats.blobs:,}",
            f"{t.stats.files:,}",
            f"{t.stats.bytes / 1e6:,.1f}",
            Text(str(t.occurrences), style="bold red" if t.occurrences else ""),
            Text(str(t.errors), style="yellow" if t.errors else ""),
        )
    return table


def _still_present(result: SweepResult) -> Text | None:
    live = [
        f
        for f in result.findings
        if any(
            o.provenance is None or o.provenance.at_head or o.provenance.in_worktree
            for o in f.occurrences
        )
    ]
    if not live:
        return None
    return Text(
        f"{len(live)} of these keys are still at HEAD or in the work tree: "
        "remove them, then rotate every key listed.",
        style="bold",
    )


def render(result: SweepResult, *, show_secrets: bool = False) -> RenderableType:
    stats = result.stats
    # The scan summary counts files; for a sweep every blob read is one of them.
    scanned = ScanStats(files=stats.files + stats.blobs, bytes=stats.bytes)
    scan_like = ScanResult(result.findings, result.errors, scanned)
    parts: list[RenderableType] = [console.render(scan_like, show_secrets=show_secrets)]
    still = _still_present(result)
    if still is not None:
        parts.append(still)
    for warning in result.warnings:
        parts.append(Text(f"note: {warning.path}: {warning.message}", style="yellow"))
    if stats.cached:
        parts.append(
            Text(f"{stats.cached:,} blobs skipped: the cache says they are clean", style="dim")
        )
    parts.append(summary_table(result))
    return Group(*parts)
