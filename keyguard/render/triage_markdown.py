"""``keyguard triage --format markdown``: the triage as an incident ticket's body."""

from __future__ import annotations

from keyguard.render.triage_console import GROUPS, kind_label, summary
from keyguard.render.triage_purge import plan_markdown
from keyguard.triage.model import KeyTriage, Triage
from keyguard.triage.purge import PurgePlan
from plugins.pattern import short_fingerprint


def cell(text: str) -> str:
    """*text* safe in a table cell: no line breaks, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def code(text: str) -> str:
    """*text* as inline code, whatever backticks it holds."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _shown(k: KeyTriage, show_secrets: bool) -> str:
    return k.secret.reveal() if show_secrets and k.secret is not None else k.redacted


def _next(text: str) -> str:
    return code(text) if text.startswith("keyguard ") else cell(text)


def _details(k: KeyTriage, show_secrets: bool) -> list[str]:
    e = k.exposure
    lines = [
        f"### {code(_shown(k, show_secrets))} {code(short_fingerprint(k.fingerprint))} "
        f"{kind_label(k.kind)}",
        "",
        f"- **Verdict:** {cell(k.verdict)}",
        f"- **Next:** {_next(k.next)}",
        f"- **Status:** {k.status.status.value}"
        + (f" ({cell(k.status.reason)})" if k.status.reason else "")
        + f", from {k.status.source.value}",
    ]
    if e.repositories:
        lines.append(f"- **Repositories:** {', '.join(code(r) for r in e.repositories)}")
    if e.places:
        lines.append(f"- **Paths:** {', '.join(code(str(p)) for p in e.places)}")
    if e.refs:
        lines.append(f"- **Refs still holding it:** {', '.join(code(r) for r in e.refs)}")
    if e.pull_refs:
        lines.append(f"- **Pull-request refs:** {', '.join(code(r) for r in e.pull_refs)}")
    if e.sites:
        lines.append(f"- **Sites:** {', '.join(code(s) for s in e.sites)}")
    still = [w for w, on in (("at HEAD", e.at_head), ("in a work tree", e.in_worktree)) if on]
    if still:
        lines.append(f"- **Still:** {', '.join(still)}")
    if e.first_committed:
        lines.append(f"- **First committed:** {e.first_committed} ({code(e.first_commit or '')})")
    vault = ", ".join(
        f"{code(v.target)} version {v.version}" + (" (current)" if v.current else "")
        for v in k.vault
    )
    lines.append(f"- **Vault:** {vault or 'in no configured target'}")
    if k.rotation is not None:
        r = k.rotation
        done = f", retired it {r.retired_at}" if r.retired else ""
        lines.append(f"- **Rotation:** {code(r.rotation_id)} of {code(r.target)} ({r.state}{done})")
    return [*lines, ""]


def render(triage: Triage, *, show_secrets: bool = False, plan: PurgePlan | None = None) -> str:
    out = [
        f"# Klaviyo key triage, {triage.generated_at}",
        "",
        summary(triage) + ".",
        "",
        "| verdict | key | fingerprint | status | next |",
        "|---|---|---|---|---|",
    ]
    for k in triage.keys:
        out.append(
            f"| {kind_label(k.kind)} | {code(_shown(k, show_secrets))} | "
            f"{code(short_fingerprint(k.fingerprint))} | {k.status.status.value} | "
            f"{_next(k.next)} |"
        )
    out.append("")
    for title, _, kinds in GROUPS:
        keys = [k for k in triage.keys if k.kind in kinds]
        if keys:
            out += [f"## {title} ({len(keys)})", ""]
            for k in keys:
                out += _details(k, show_secrets)
    if plan is not None:
        out += plan_markdown(plan)
    if triage.notes:
        out += ["## Notes", ""]
        out += [f"- {cell(n.text)}" for n in triage.notes]
        out.append("")
    return "\n".join(out)
