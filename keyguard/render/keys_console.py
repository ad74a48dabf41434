"""``keyguard keys``' inventory for people: one row per key, the too old ones first."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from keyguard.keys_report import BETA_NOTE, InventoryRow


def render(rows: Sequence[InventoryRow]) -> RenderableType:
    table = Table(show_edge=False, pad_edge=False, box=None)
    for column in ("key", "name", "status", "created", "age", "scopes"):
        table.add_column(column)
    for r in rows:
        scopes = (
            Text("FULL ACCESS", style="bold red")
            if r.key.full_access
            else Text(", ".join(r.key.scopes))
        )
        age = Text(f"{r.age_days}d" if r.age_days is not None else "?")
        if r.too_old:
            age.stylize("bold red")
            age.append(" too old")
        table.add_row(
            r.key.redacted_key or "",
            r.key.name or "",
            r.key.status or "",
            r.key.created.date().isoformat() if r.key.created else "",
            age,
            scopes,
        )
    old = sum(r.too_old for r in rows)
    summary = f"{len(rows)} private keys" + (f"; {old} older than --max-age" if old else "")
    return Group(table, Text(summary, style="bold"), Text(BETA_NOTE, style="dim"))
