"""Rotation age policy: when was each target last rotated, and is that too long ago?"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rotator.config import Target
from rotator.journal import LAST_DONE, from_metadata
from rotator.vault import VaultStore


@dataclass(frozen=True)
class TargetAge:
    target: str
    vault_path: str
    last_completed_at: str | None
    state: str | None
    overdue: bool


def survey(
    targets: Iterable[Target],
    store_for: Callable[[Target], VaultStore],
    *,
    now: datetime,
    max_age: timedelta,
) -> list[TargetAge]:
    """One row per target; a target never rotated by keyguard counts as overdue."""
    rows = []
    for target in targets:
        meta = store_for(target).metadata()
        custom = meta.custom if meta else {}
        last = custom.get(LAST_DONE)
        journal = from_metadata(custom)
        overdue = last is None or now - datetime.fromisoformat(last) > max_age
        rows.append(
            TargetAge(
                target=target.label,
                vault_path=target.vault_path,
                last_completed_at=last,
                state=journal.state.value if journal else None,
                overdue=overdue,
            )
        )
    return rows
