"""Attach live-verification results to findings: the seam ``scan`` and ``sweep`` share.

The scanner does not talk HTTP: the caller passes a ``Verifier`` (built on the Klaviyo
client at the command-line edge). No findings, no verifier call, no request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from plugins.client.bulk_verify import Verifier
from scanner.findings import Finding, Verdict


def verify_findings(
    findings: Sequence[Finding], verifier: Verifier, *, only_live: bool = False
) -> tuple[Finding, ...]:
    """Findings with their verdict filled in, most dangerous first (stable otherwise)."""
    if not findings:
        return ()
    checks = verifier.verify(f.secret for f in findings)
    verified = []
    for f in findings:
        check = checks[f.fingerprint]
        verified.append(replace(f, verdict=Verdict(check.status, check.account, check.reason)))
    if only_live:
        verified = [f for f in verified if f.status.active]
    return tuple(sorted(verified, key=lambda f: f.status.rank))
