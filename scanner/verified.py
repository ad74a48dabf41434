"""Attach live-verification results to findings: the seam ``scan`` and ``sweep`` share.

The scanner does not talk HTTP: the caller passes a ``Verifier`` (built on the Klaviyo
client at the command-line edge). No findings, no verifier call, no request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from plugins.key_status import KeyStatus
from plugins.verification import Verifier
from scanner.findings import UNVERIFIED, Finding

#: Live keys first: they are what a responder acts on now.
STATUS_RANK = {
    KeyStatus.LIVE.value: 0,
    KeyStatus.LIMITED.value: 1,
    KeyStatus.UNKNOWN.value: 2,
    UNVERIFIED: 3,
    KeyStatus.REVOKED.value: 4,
}
ACTIVE = frozenset({KeyStatus.LIVE.value, KeyStatus.LIMITED.value})


def verify_findings(
    findings: Sequence[Finding], verifier: Verifier, *, only_live: bool = False
) -> tuple[Finding, ...]:
    """Findings with ``status``/``account`` filled in, live first (stable otherwise)."""
    if not findings:
        return ()
    checks = verifier.verify(f.secret for f in findings)
    verified = [
        replace(
            f,
            status=checks[f.fingerprint].status.value,
            account=checks[f.fingerprint].account,
            status_reason=checks[f.fingerprint].reason,
        )
        for f in findings
    ]
    if only_live:
        verified = [f for f in verified if f.status in ACTIVE]
    return tuple(sorted(verified, key=lambda f: STATUS_RANK.get(f.status, 3)))
