"""``keyguard triage`` for people: keys grouped by what they need, coloured by verdict."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from keyguard.render.console import STATUS_STYLE
from keyguard.triage.model import KeyTriage, Kind, Triage
from keyguard.triage.purge import PurgePlan
from plugins.pattern import short_fingerprint
from scanner.report.wording import count

#: The groups a triage is shown in, most urgent first, and the kinds in each.
GROUPS: tuple[tuple[str, str, frozenset[Kind]], ...] = (
    (
        "Act now: these keys work",
        "bold red",
        frozenset(
            {
                Kind.RETIRED_LIVE,
                Kind.LIVE_CURRENT,
                Kind.LIVE_ROTATING,
                Kind.LIVE_OLD_VERSION,
                Kind.LIVE_UNSTORED,
            }
        ),
    ),
    ("Could not be checked", "yellow", frozenset({Kind.UNCHECKED_CURRENT, Kind.UNCHECKED})),
    (
        "Clean up: dead keys still in use or in the code",
        "magenta",
        frozenset({Kind.REVOKED_CURRENT, Kind.RETIRED_PRESENT, Kind.REVOKED_PRESENT}),
    ),
    ("History only", "green", frozenset({Kind.RETIRED_HISTORY, Kind.REVOKED_HISTORY})),
)

KIND_STYLE = {kind: style for _, style, kinds in GROUPS for kind in kinds}
KIND_STYLE[Kind.RETIRED_LIVE] = "bold white on red"


def kind_label(kind: Kind) -> str:
    return kind.value.replace("_", " ").upper()


def _exposure(k: KeyTriage) -> str:
    e = k.exposure
    parts = []
    if e.repositories:
        parts.append(count(len(e.repositories), "repository", "repositories"))
    if e.places:
        parts.append(count(len(e.places), "path"))
    if e.refs:
        parts.append(count(len(e.refs), "ref"))
    if e.pull_refs:
        parts.append(count(len(e.pull_refs), "pull-request ref"))
    if e.tags:
        parts.append(count(len(e.tags), "tag"))
    if e.sites:
        parts.append(count(len(e.sites), "site"))
    if e.first_committed:
        parts.append(f"first committed {e.first_committed[:10]}")
    if e.at_head:
        parts.append("AT HEAD")
    if e.in_worktree:
        parts.append("IN A WORK TREE")
    return ", ".join(parts) or "seen, nowhere to be read again"


def _vault(k: KeyTriage) -> str:
    if not k.vault:
        return "in no configured target"
    return ", ".join(
        f"{v.target} version {v.version}" + (" (current)" if v.current else "") for v in k.vault
    )


def _key(k: KeyTriage, show_secrets: bool) -> RenderableType:
    head = Text()
    head.append(f"{kind_label(k.kind)}", style=KIND_STYLE[k.kind])
    head.append("  ")
    shown = k.secret.reveal() if show_secrets and k.secret is not None else k.redacted
    head.append(shown, style="bold")
    head.append(f"  {short_fingerprint(k.fingerprint)}  ", style="dim")
    head.append(k.status.status.value.upper(), style=STATUS_STYLE[k.status.status])
    lines = [head]
    rows: list[tuple[str, str, str]] = [
        ("verdict", k.verdict, KIND_STYLE[k.kind]),
        ("next", k.next, "bold"),
        ("exposure", _exposure(k), ""),
        ("vault", _vault(k), ""),
    ]
    if k.rotation is not None:
        r = k.rotation
        what = f"{r.rotation_id} of {r.target} ({r.state})"
        if r.retired:
            what += f", retired it {(r.retired_at or '')[:10]}"
        rows.append(("rotation", what, ""))
    if k.status.reason:
        rows.append(("status", k.status.reason, "dim"))
    for label, text, style in rows:
        line = Text(f"  {label:<9} ", style="dim")
        line.append(text, style=style)
        lines.append(line)
    return Group(*lines)


def render(
    triage: Triage, *, show_secrets: bool = False, plan: PurgePlan | None = None
) -> RenderableType:
    parts: list[RenderableType] = []
    for title, style, kinds in GROUPS:
        keys: Sequence[KeyTriage] = [k for k in triage.keys if k.kind in kinds]
        if not keys:
            continue
        parts.append(Text(f"{title} ({len(keys)})", style=f"{style} underline"))
        for k in keys:
            parts.append(_key(k, show_secrets))
            parts.append(Text(""))
    if plan is not None:
        from keyguard.render.triage_purge import plan_console

        parts += [plan_console(plan), Text("")]
    parts.append(Text(summary(triage), style="bold"))
    return Group(*parts)


def summary(triage: Triage) -> str:
    alarming = sum(k.kind.alarming for k in triage.keys)
    unchecked = sum(k.kind in (Kind.UNCHECKED, Kind.UNCHECKED_CURRENT) for k in triage.keys)
    text = (
        f"{count(len(triage.keys), 'key')} triaged against "
        f"{count(triage.targets, 'target')}: {alarming} working, {unchecked} not checked"
    )
    if triage.notes:
        text += f"; {count(len(triage.notes), 'note')}"
    return text
