"""Plain one-line-per-occurrence text, for the pre-commit hook and editors' problem matchers."""

from __future__ import annotations

from plugins.pattern import short_fingerprint
from scanner.findings import ScanResult


def lines(result: ScanResult, *, show_secrets: bool = False) -> list[str]:
    out = []
    for finding in result.findings:
        shown = finding.secret.reveal() if show_secrets else finding.redacted
        fp = short_fingerprint(finding.fingerprint)
        for o in finding.occurrences:
            out.append(f"{o.path}:{o.line}:{o.column}: Klaviyo private API key {shown} [{fp}]")
    return out
