"""The history clean-up plan, as every triage format shows it."""

from __future__ import annotations

from html import escape

from rich.console import Group, RenderableType
from rich.text import Text

from keyguard.triage.purge import Held, PurgePlan
from plugins.pattern import short_fingerprint

TITLE = "History clean-up plan"


def _refs(h: Held) -> str:
    parts = []
    if h.branches:
        parts.append("refs " + ", ".join(h.branches))
    if h.tags:
        parts.append("tags " + ", ".join(h.tags))
    if h.pull_refs:
        parts.append(
            "pull-request refs " + ", ".join(h.pull_refs) + " (only the hosting service can "
            "drop these: a push cannot)"
        )
    return "; ".join(parts) or "no ref (unreachable objects only)"


def held_lines(plan: PurgePlan) -> list[str]:
    return [
        f"{h.redacted} ({short_fingerprint(h.fingerprint)}) in {h.repository}: {_refs(h)}"
        for h in plan.held
    ]


def encoded_lines(plan: PurgePlan) -> list[str]:
    return [
        f"{e.redacted} is written {e.encoding} in {e.place}: no expression matches it; "
        "remove it by hand"
        for e in plan.encoded
    ]


def plan_json(plan: PurgePlan) -> dict[str, object]:
    return {
        "file": str(plan.file),
        "expressions": list(plan.expressions),
        "warning": plan.warning,
        "repositories": [
            {"repository": r, "commands": list(plan.commands(r))} for r in plan.repositories
        ],
        "held": [
            {
                "fingerprint": h.fingerprint,
                "redacted": h.redacted,
                "repository": h.repository,
                "refs": list(h.branches),
                "tags": list(h.tags),
                "pull_refs": list(h.pull_refs),
            }
            for h in plan.held
        ],
        "encoded": [
            {"redacted": e.redacted, "place": e.place, "encoding": e.encoding} for e in plan.encoded
        ],
    }


def plan_console(plan: PurgePlan) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"{TITLE} ({plan.file})", style="bold underline"),
        Text(plan.warning, style="bold yellow"),
    ]
    for repository in plan.repositories:
        parts.append(Text(f"  {repository}:", style="bold"))
        parts += [Text(f"    {c}") for c in plan.commands(repository)]
    parts += [Text(f"  {line}", style="dim") for line in held_lines(plan)]
    parts += [Text(f"  {line}", style="yellow") for line in encoded_lines(plan)]
    return Group(*parts)


def plan_markdown(plan: PurgePlan) -> list[str]:
    out = [f"## {TITLE}", "", f"> {plan.warning}", ""]
    out.append(f"Expressions: `{plan.file}` (for `git filter-repo --replace-text`).")
    out.append("")
    for repository in plan.repositories:
        out += [f"`{repository}`:", "", "```sh", *plan.commands(repository), "```", ""]
    out += [f"- {line}" for line in held_lines(plan) + encoded_lines(plan)]
    return [*out, ""]


def plan_html(plan: PurgePlan) -> str:
    commands = "".join(
        f"<p><code>{escape(r)}</code></p><pre>{escape(chr(10).join(plan.commands(r)))}</pre>"
        for r in plan.repositories
    )
    items = "".join(f"<li>{escape(line)}</li>" for line in held_lines(plan) + encoded_lines(plan))
    return (
        f'<h2>{TITLE}</h2><p class="warning"><strong>{escape(plan.warning)}</strong></p>'
        f"<p>Expressions: <code>{escape(str(plan.file))}</code></p>{commands}<ul>{items}</ul>"
    )
