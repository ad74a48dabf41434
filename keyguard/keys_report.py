"""The key inventory as rows, and as JSON for machines (``keyguard/render/keys_console.py``
renders it for people)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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
