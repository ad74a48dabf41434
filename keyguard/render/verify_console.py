"""``keyguard verify``'s results for people: one row per key, then a count per status."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from keyguard.render.console import STATUS_STYLE
from keyguard.verify_io import Row
from plugins.client.responses import Account
from plugins.key_status import KeyStatus
from plugins.pattern import short_fingerprint
from scanner.report.wording import count


def account_text(account: Account | None) -> str:
    if account is None or account.public_key is None:
        return ""
    return account.public_key + (" (test account)" if account.test_account else "")


def render(rows: Sequence[Row]) -> RenderableType:
    table = Table(show_edge=False, pad_edge=False, box=None)
    for column in ("status", "key", "fingerprint", "account", "reason"):
        table.add_column(column)
    for r in rows:
        status = r.check.status
        table.add_row(
            Text(status.value.upper(), style=STATUS_STYLE[status]),
            r.redacted,
            short_fingerprint(r.fingerprint),
            account_text(r.check.account),
            Text(r.check.reason, style="dim"),
        )
    counts = {s: sum(r.check.status is s for r in rows) for s in KeyStatus}
    summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "no keys"
    return Group(table, Text(f"{count(len(rows), 'key')} checked: {summary}", style="bold"))
