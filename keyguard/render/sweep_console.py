"""The sweep's console report: the scan report (keys grouped, redacted) plus where each
key lives now, warnings, and a per-target summary table. Builds renderables; never prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from keyguard.render import console
from scanner.findings import Finding, Occurrence, ScanResult, ScanStats
from scanner.fleet import SweepResult
from scanner.report.wording import count


def _statuses(findings: Iterable[Finding]) -> Text:
    """``1 live, 2 revoked``: distinct keys by status, most alarming first, in its colour."""
    counts = Counter(f.status for f in findings)
    ranked = sorted(counts, key=lambda s: s.rank)
    style = console.STATUS_STYLE[ranked[0]] if ranked else ""
    return Text(", ".join(f"{counts[s]} {s}" for s in ranked), style=style)


def summary_table(result: SweepResult) -> Table:
    table = Table(title="keyguard sweep", title_justify="left", show_footer=len(result.targets) > 1)
    stats = result.stats
    # fold, not '…': a cut target name could be any of several repositories.
    table.add_column("target", footer=count(len(result.targets), "target"), overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("blobs", justify="right", footer=f"{stats.blobs:,}")
    table.add_column("files", justify="right", footer=f"{stats.files:,}")
    table.add_column("MB", justify="right", footer=f"{stats.bytes / 1e6:,.1f}")
    table.add_column(
        "places", justify="right", footer=str(sum(t.occurrences for t in result.targets))
    )
    table.add_column("errors", justify="right", footer=str(len(result.errors)))
    verified = any(f.status.asked for f in result.findings)
    if verified:
        table.add_column("status", footer=_statuses(result.findings))
    if result.remote is not None:
        listed = count(result.remote.repositories, "remote repository", "remote repositories")
        table.caption = f"{listed} listed with {count(result.remote.api_calls, 'API call')}"
        table.caption_justify = "left"
    for t in result.targets:
        row: list[str | Text] = [
            t.target,
            t.kind,
            f"{t.stats.blobs:,}",
            f"{t.stats.files:,}",
            f"{t.stats.bytes / 1e6:,.1f}",
            Text(str(t.occurrences), style="bold red" if t.occurrences else ""),
            Text(str(t.errors), style="yellow" if t.errors else ""),
        ]
        if verified:
            row.append(_statuses(f for f in result.findings if f.fingerprint in t.keys))
        table.add_row(*row)
    return table


def _now_at(o: Occurrence) -> str | None:
    """Where an occurrence still is today, or None if only in history."""
    p = o.provenance
    if p is None:  # a plain directory or a site: what was read is what is there now
        if o.path.startswith(("http://", "https://")):
            return "on the site swept"
        return "in the files swept"
    return "at HEAD or in the work tree" if p.at_head or p.in_worktree else None


def _still_present(result: SweepResult) -> Text | None:
    places: dict[str, None] = {}
    live = 0
    for finding in result.findings:
        found = [where for where in map(_now_at, finding.occurrences) if where]
        live += bool(found)
        places.update(dict.fromkeys(found))
    if not live:
        return None
    return Text(
        f"{live} of these keys {'is' if live == 1 else 'are'} still {', '.join(sorted(places))}: "
        "remove them, then rotate every key listed.",
        style="bold",
    )


#: For commits not pushed yet: rewriting them keeps the key off the remote entirely.
PUSH_ADVICE = (
    "These commits are not pushed yet: rewrite them without the key (`git rebase -i` on the "
    "first listed commit's parent, or `git commit --amend` for the last one), then push "
    "again. Rotate the key too (`keyguard rotate`) if it was ever shared elsewhere."
)


def render(
    result: SweepResult, *, show_secrets: bool = False, pushing: bool = False
) -> RenderableType:
    """*pushing*: the commits of a push, not yet on the remote (advice: rewrite them)."""
    stats = result.stats
    # Counted as the JSON report counts them: history blobs, and work-tree or directory files.
    scan_like = ScanResult(result.findings, result.errors, ScanStats(stats.files, stats.bytes))
    scanned = f"{count(stats.blobs, 'blob')} and {count(stats.files, 'file')}"
    # Several repositories can share a path (a fork, a bare mirror): say whose it is.
    repositories = {
        o.provenance.repository
        for f in result.findings
        for o in f.occurrences
        if o.provenance is not None
    }
    parts: list[RenderableType] = [
        console.render(
            scan_like,
            show_secrets=show_secrets,
            with_repository=len(repositories) > 1,
            advice=PUSH_ADVICE if pushing else console.REMOVE_ADVICE,
            scanned=scanned,
        )
    ]
    still = None if pushing else _still_present(result)
    if still is not None:
        parts.append(still)
    parts.extend(console.issue_lines(result.warnings, "note:", "yellow"))
    if stats.binary:
        parts.append(Text(f"{count(stats.binary, 'blob')} read as binary", style="dim"))
    if stats.cached:
        parts.append(
            Text(
                f"{count(stats.cached, 'blob')} skipped: the cache says they are clean", style="dim"
            )
        )
    parts.append(summary_table(result))
    return Group(*parts)
