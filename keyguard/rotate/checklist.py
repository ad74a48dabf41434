"""How a rotation looks to people: the rich checklist, Klaviyo UI directions, the Markdown plan."""

from __future__ import annotations

from urllib.parse import quote

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from plugins.pattern import short_fingerprint
from rotator.config import Target
from rotator.journal import Journal
from rotator.states import State

KLAVIYO_UI = "Klaviyo -> Settings -> API Keys"
CREATE_URL = "https://www.klaviyo.com/create-private-api-key"
DEFAULT_SCOPES = ("accounts:read",)


def create_link(target: Target) -> str:
    scopes = tuple(dict.fromkeys((*DEFAULT_SCOPES, *target.scopes)))
    return f"{CREATE_URL}?scopes={quote(','.join(scopes), safe=',:')}"


#: The step a rotation is working on in each state (an index into :func:`steps`). A state
#: named after a finished step (VAULT_UPDATED) points at the step after it.
_CURRENT = {
    State.PREFLIGHT: 0,
    State.AWAITING_NEW_KEY: 1,
    State.VAULT_UPDATED: 3,
    State.INTEGRATIONS_UPDATED: 4,
    State.AWAITING_REVOKE: 4,
    State.DONE: 6,
}


def _integrations(target: Target, journal: Journal | None) -> str:
    if not target.integrations:
        return "none configured"
    done = journal.integrations_done if journal else frozenset()
    return ", ".join(
        f"{i.name} ✓" if i.name in done else (f"{i.name} (to do)" if journal else i.name)
        for i in target.integrations
    )


def steps(target: Target, journal: Journal | None) -> list[tuple[str, str]]:
    """(title, how) for each step of the runbook, in order."""
    label = journal.key_label if journal and journal.key_label else "keyguard <target> <date>"
    integrations = _integrations(target, journal)
    soak = f"{int(target.soak.total_seconds())}s" if target.soak else "no soak time"
    return [
        ("Preflight", "Vault KV v2, versions headroom, token capabilities and TTL, current key"),
        (
            "Create the new key",
            f"{KLAVIYO_UI} -> Create Private API Key (or Clone the current one), name it "
            f"'{label}', then paste it at the hidden prompt. Link: {create_link(target)}",
        ),
        ("Vault updated", f"a new version of {target.vault_path} written with check-and-set"),
        ("Integrations updated", f"{integrations}; then soak: {soak}"),
        (
            "Disable the old key",
            f"{KLAVIYO_UI} -> find the key that is NOT named '{label}' -> Disable",
        ),
        ("Verified", "the old key is rejected (401) and the new key still works"),
    ]


def _mark(journal: Journal | None, index: int) -> Text:
    if journal is None:
        return Text("·", style="dim")
    if journal.state in (State.ABORTED, State.ROLLED_BACK, State.CONFLICT):
        # The journal does not say which step the rotation left from; the heading names the
        # side exit, and no step is marked as failed (preflight, say, had passed).
        return Text("·", style="dim red")
    current = _CURRENT[journal.state]
    if index < current:
        return Text("✓", style="green")
    if index == current:
        return Text("→", style="bold yellow")
    return Text("·", style="dim")


def render(target: Target, journal: Journal | None) -> RenderableType:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(width=2)
    table.add_column(style="bold", no_wrap=True)
    # fold, not rich's default ellipsis: the create-key link must survive a narrow or piped
    # console whole, or the operator cannot open it.
    table.add_column(overflow="fold")
    for index, (title, how) in enumerate(steps(target, journal)):
        table.add_row(_mark(journal, index), title, how)
    head = Text(f"Rotation of {target.label}", style="bold")
    if journal is None:
        return Group(head, table)
    head.append(f"  [{journal.state.value}, rotation {journal.rotation_id}]", style="cyan")
    facts = Text(style="dim")
    facts.append(f"Vault version {journal.base_version}")
    if journal.new_version is not None:
        facts.append(f" -> {journal.new_version}")
    if journal.old_fp:
        facts.append(f"; old key {short_fingerprint(journal.old_fp)}")
    if journal.new_fp:
        facts.append(f", new key {short_fingerprint(journal.new_fp)}")
    if journal.account_id:
        facts.append(f"; account {journal.account_id}")
    facts.append(f"; started {journal.started_at}, updated {journal.updated_at}")
    parts: list[RenderableType] = [head, facts, table]
    if journal.error:
        parts.append(Text(journal.error, style="red"))
    return Group(*parts)


def plan_markdown(target: Target) -> str:
    lines = [
        f"# Rotating the Klaviyo private key of `{target.label}`",
        "",
        f"Secret: `{target.vault_path}` (field `{target.field}`), KV v2.",
        f"Required scopes: {', '.join(f'`{s}`' for s in target.scopes) or 'none listed'}.",
        "",
        f"Run `keyguard rotate --vault-path {target.vault_path}` (or `--target {target.label}`)"
        " and follow it; it can be interrupted at any point and resumed with"
        " `keyguard rotate resume`.",
        "",
    ]
    for number, (title, how) in enumerate(steps(target, None), 1):
        lines.append(f"{number}. **{title}**: {how}")
    if target.integrations:
        lines += ["", "## Integrations", ""]
        for step in target.integrations:
            what = step.url or " ".join(step.command) or step.description
            lines.append(f"- `{step.name}` ({step.kind}): {what}")
    lines += [
        "",
        "Before the Vault write, `keyguard rotate abort` abandons the rotation. After it and"
        " before the old key is disabled, `keyguard rotate rollback` re-publishes the old key"
        " as a new version. After the old key is disabled, only a new rotation goes forward.",
        "",
    ]
    return "\n".join(lines)
