"""Reading keys for ``keyguard verify``, its rows and exit code, and its JSON (never a whole
key). The console table is ``keyguard/render/verify_console.py``'s."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from keyguard.exit_codes import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE
from plugins.client.responses import KeyCheck
from plugins.key_status import KeyStatus
from plugins.pattern import KEY_RE, Secret
from scanner.findings import account_json
from scanner.report import model


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


def gather(stdin_text: str | None, report: Path | None) -> KeyInput:
    """Keys from stdin and/or a report; report findings with no key are kept as missing."""
    secrets, ignored = keys_in_text(stdin_text or "")
    named: dict[str, str] = {}
    if report is not None:
        for finding in model.load(report).findings:
            if finding.secret is not None:
                secrets.append(finding.secret)
            else:
                named[finding.fingerprint] = finding.redacted or "pk_…"
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
    return sorted(seen.values(), key=lambda r: r.check.status.rank)


def exit_code(rows: Sequence[Row]) -> int:
    statuses = {r.check.status for r in rows}
    if statuses & {KeyStatus.LIVE, KeyStatus.LIMITED}:
        return EXIT_FINDINGS
    if KeyStatus.UNKNOWN in statuses:
        return EXIT_UNREADABLE
    return EXIT_CLEAN


def render_json(rows: Iterable[Row]) -> str:
    results = [
        {
            "fingerprint": r.fingerprint,
            "redacted": r.redacted,
            "status": r.check.status.value,
            "account": account_json(r.check.account),
            "reason": r.check.reason,
        }
        for r in rows
    ]
    return json.dumps({"results": results}, indent=2, ensure_ascii=False) + "\n"
