"""The console report for people: grouped per key, redacted, built as rich renderables.

Nothing here prints: the CLI hands the renderables to a ``rich.console.Console``, which
drops colour when output is not a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.text import Text

from keyguard import error_wording
from plugins.key_status import KeyStatus
from plugins.pattern import short_fingerprint
from scanner.findings import Finding, Occurrence, ScanIssue, ScanResult
from scanner.report.wording import count, summary


def _where(o: Occurrence, with_repository: bool = False) -> Text:
    text = Text()
    if with_repository and o.provenance is not None:
        text.append(f"[{o.provenance.repository}] ", style="blue")
    text.append(f"{o.path}:{o.line}:{o.column}", style="cyan")
    if o.encoding != "plain":
        text.append(f"  ({o.encoding})", style="yellow")
    if o.original is not None:
        text.append(
            f"  <- {o.original.path}:{o.original.line}:{o.original.column}", style="magenta"
        )
    p = o.provenance
    if p is not None and p.commit is not None:
        text.append(f"  commit {p.commit[:12]}", style="dim")
        if p.author_date:
            text.append(f" {p.author_date[:10]}", style="dim")
    if p is not None:
        # Where the key still is, as the JSON report has it: the summary line says "still
        # at HEAD" and this line says which occurrence, and on which branches.
        marks = [m for m, on in (("AT HEAD", p.at_head), ("IN WORK TREE", p.in_worktree)) if on]
        if marks:
            text.append("  " + ", ".join(marks), style="bold red")
        if p.refs:
            text.append(f"  on {_refs(p.refs)}", style="blue")
    return text


_MAX_REFS = 3


def _short_ref(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref


def _refs(refs: tuple[str, ...]) -> str:
    """``main, tags/v1.0 (+3 more)``: branches first, folded past a few."""
    names = sorted(refs, key=lambda r: (not r.startswith("refs/heads/"), r))
    shown = ", ".join(_short_ref(r) for r in names[:_MAX_REFS])
    more = len(names) - _MAX_REFS
    return shown + (f" (+{more} more)" if more > 0 else "")


#: How each key status looks; live keys shout.
STATUS_STYLE = {
    KeyStatus.LIVE: "bold white on red",
    KeyStatus.LIMITED: "bold red",
    KeyStatus.UNKNOWN: "yellow",
    KeyStatus.UNVERIFIED: "dim",
    KeyStatus.REVOKED: "green",
}


def _status(finding: Finding) -> Text:
    text = Text(f"{finding.status.upper():<10}", style=STATUS_STYLE[finding.status])
    return text.append(" ")


def _finding(finding: Finding, show_secrets: bool, with_repository: bool) -> RenderableType:
    shown = finding.secret.reveal() if show_secrets else finding.redacted
    n = len(finding.occurrences)
    head = Text("● ", style="bold red")
    head.append_text(_status(finding))
    head.append(shown, style="bold")
    head.append(f"  {finding.type}  fingerprint {short_fingerprint(finding.fingerprint)}")
    account = finding.verdict.account
    if account is not None and account.public_key:
        test = " (test account)" if account.test_account else ""
        head.append(f"  account {account.public_key}{test}", style="bold")
    head.append(f"  {count(n, 'occurrence')}", style="dim")
    rows = [Text("    ").append_text(_where(o, with_repository)) for o in finding.occurrences]
    reason = finding.verdict.reason
    if reason and finding.status is not KeyStatus.LIVE:
        rows.insert(0, Text(f"    {reason}", style="dim"))
    return Group(head, *rows)


#: A message given for more places than this is shown for the first few, then counted.
SHOWN_PER_MESSAGE = 3


def issue_lines(issues: Iterable[ScanIssue], lead: str, style: str) -> list[Text]:
    """One line per issue, except that a message repeated for many paths (an archive
    limit met in thousands of bundles) shows its first few paths and a count."""
    by_message: dict[str, list[str]] = {}
    for issue in issues:
        by_message.setdefault(error_wording.note(issue), []).append(issue.path)
    lines: list[Text] = []
    for message, paths in by_message.items():
        for path in paths[:SHOWN_PER_MESSAGE]:
            lines.append(Text(f"{lead} {path}: {message}", style=style))
        more = len(paths) - SHOWN_PER_MESSAGE
        if more > 0:
            lines.append(Text(f"{lead} {count(more, 'more place')}: {message}", style=style))
    return lines


#: What to do about keys found in files or history that may have been shared.
REMOVE_ADVICE = (
    "Remove each key, then rotate it: `keyguard rotate` (a committed key stays in git history)."
)


def render(
    result: ScanResult,
    *,
    show_secrets: bool = False,
    with_repository: bool = False,
    advice: str = REMOVE_ADVICE,
    scanned: str | None = None,
) -> RenderableType:
    """*with_repository* names each occurrence's repository (a sweep of several);
    *scanned* replaces "N files" in the summary (a sweep counts blobs and files)."""
    parts: list[RenderableType] = [
        _finding(f, show_secrets, with_repository) for f in result.findings
    ]
    parts.extend(issue_lines(result.errors, "could not read", "yellow"))
    parts.extend(issue_lines(result.warnings, "note:", "yellow"))
    keys = len(result.findings)
    counts, extras = summary(result, scanned)
    line = Text(counts, style="bold red" if keys else "bold green")
    if extras:
        line.append("; " + extras, style="dim")
    parts.append(line)
    if keys:
        parts.append(Text(advice, style="dim"))
    return Group(*parts)
