"""The key inventory as rows, for people (rich) and machines (JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from plugins.client.api import ApiKeyInfo

BETA_NOTE = (
    "Klaviyo's API-keys endpoint is beta and may change; "
    "Settings > API Keys in Klaviyo is the authority."
)


@dataclass(frozen=True)
class InventoryRow:
    key: ApiKeyInfo
    age_days: int | None
    too_old: bool


def inventory(
    keys: Iterable[ApiKeyInfo], *, now: datetime, max_age: timedelta | None
) -> list[InventoryRow]:
    rows = []
    for key in keys:
        age = now - key.created if key.created is not None else None
        too_old = (
            max_age is not None and age is not None and age > max_age and key.status != "disabled"
        )
        rows.append(InventoryRow(key, age.days if age is not None else None, too_old))
    return sorted(rows, key=lambda r: (not r.too_old, -(r.age_days or 0), r.key.id))


def render_json(rows: Sequence[InventoryRow], *, max_age: str | None) -> str:
    keys = [
        {
            "id": r.key.id,
            "name": r.key.name,
            "status": r.key.status,
            "scopes": list(r.key.scopes),
            "full_access": r.key.full_access,
            "created": r.key.created.isoformat() if r.key.created else None,
            "age_days": r.age_days,
            "too_old": r.too_old,
            "redacted_key": r.key.redacted_key,
        }
        for r in rows
    ]
    document = {"beta": True, "note": BETA_NOTE, "max_age": max_age, "keys": keys}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_console(rows: Sequence[InventoryRow]) -> RenderableType:
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
