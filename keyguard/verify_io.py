"""Reading keys for ``keyguard verify`` and rendering its results (never a whole key)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from plugins.errors import UsageError
from plugins.key_status import KeyStatus
from plugins.klaviyo_responses import Account, KeyCheck
from plugins.pattern import KEY_RE, Secret, fingerprint, short_fingerprint
from scanner.report.json_report import account_dict
from scanner.report.wording import count

#: Live keys first: they are the ones a responder acts on now.
STATUS_ORDER = {
    KeyStatus.LIVE: 0,
    KeyStatus.LIMITED: 1,
    KeyStatus.UNKNOWN: 2,
    KeyStatus.REVOKED: 3,
}
STATUS_STYLE = {
    KeyStatus.LIVE: "bold red",
    KeyStatus.LIMITED: "red",
    KeyStatus.UNKNOWN: "yellow",
    KeyStatus.REVOKED: "green",
}


@dataclass(frozen=True)
class Row:
    fingerprint: str
    redacted: str
    check: KeyCheck


@dataclass(frozen=True)
class KeyInput:
    secrets: tuple[Secret, ...]
    missing: tuple[tuple[str, str], ...]  # (fingerprint, redacted) named without a key
    ignored_lines: int  # non-blank lines that held no key


def keys_in_text(text: str) -> tuple[list[Secret], int]:
    """Every key in *text* (one per line is the convention; ``NAME=pk_…`` also works)."""
    found: list[Secret] = []
    ignored = 0
    for line in text.splitlines():
        keys = KEY_RE.findall(line)
        if keys:
            found.extend(Secret(k) for k in keys)
        elif line.strip() and not line.lstrip().startswith("#"):
            ignored += 1
    return found, ignored


def read_report(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read report {path}: {exc.strerror or exc}") from None
    try:
        document = json.loads(text)
    except ValueError:
        # Not the decoder's message: it can quote the file, which may hold keys.
        raise UsageError(f"{path} is not JSON: give a report written with --format json") from None
    findings = document.get("findings") if isinstance(document, dict) else None
    if not isinstance(findings, list):
        raise UsageError(f"{path} is not a keyguard JSON report (no 'findings' list)")
    return [f for f in findings if isinstance(f, dict)]


def gather(stdin_text: str | None, report: Path | None) -> KeyInput:
    """Keys from stdin and/or a report; report findings with no key are kept as missing."""
    secrets, ignored = keys_in_text(stdin_text or "")
    named: dict[str, str] = {}
    if report is not None:
        for finding in read_report(report):
            value = finding.get("secret")
            fp = finding.get("fingerprint")
            if isinstance(value, str) and KEY_RE.fullmatch(value):
                if isinstance(fp, str) and fp != fingerprint(value):
                    raise UsageError(f"{report}: a finding's secret does not match its fingerprint")
                secrets.append(Secret(value))
            elif isinstance(fp, str):
                named[fp] = str(finding.get("redacted") or "pk_…")
    have = {s.fingerprint for s in secrets}
    missing = tuple((fp, red) for fp, red in named.items() if fp not in have)
    return KeyInput(tuple(secrets), missing, ignored)


def rows_for(key_input: KeyInput, results: dict[str, KeyCheck]) -> list[Row]:
    seen: dict[str, Row] = {}
    for secret in key_input.secrets:
        seen.setdefault(
            secret.fingerprint,
            Row(secret.fingerprint, secret.redacted, results[secret.fingerprint]),
        )
    for fp, red in key_input.missing:
        reason = (
            "no key for this fingerprint: pipe the keys on stdin or use a --show-secrets report"
        )
        seen.setdefault(fp, Row(fp, red, KeyCheck(KeyStatus.UNKNOWN, None, reason)))
    return sorted(seen.values(), key=lambda r: STATUS_ORDER[r.check.status])


def exit_code(rows: Sequence[Row]) -> int:
    statuses = {r.check.status for r in rows}
    if statuses & {KeyStatus.LIVE, KeyStatus.LIMITED}:
        return 1
    if KeyStatus.UNKNOWN in statuses:
        return 3
    return 0


def render_json(rows: Iterable[Row]) -> str:
    results = [
        {
            "fingerprint": r.fingerprint,
            "redacted": r.redacted,
            "status": r.check.status.value,
            "account": account_dict(r.check.account),
            "reason": r.check.reason,
        }
        for r in rows
    ]
    return json.dumps({"results": results}, indent=2, ensure_ascii=False) + "\n"


def account_text(account: Account | None) -> str:
    if account is None or account.public_key is None:
        return ""
    return account.public_key + (" (test account)" if account.test_account else "")


def render_console(rows: Sequence[Row]) -> RenderableType:
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
    counts = {s: sum(r.check.status is s for r in rows) for s in STATUS_ORDER}
    summary = ", ".join(f"{n} {s.value}" for s, n in counts.items() if n) or "no keys"
    return Group(table, Text(f"{count(len(rows), 'key')} checked: {summary}", style="bold"))
