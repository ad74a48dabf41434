"""A triage's exit code: 1 a key works, else 3 something could not be checked, else 0."""

from __future__ import annotations

from keyguard.exit_codes import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE
from keyguard.triage.model import Triage
from plugins.key_status import KeyStatus


def exit_code(triage: Triage) -> int:
    if any(k.kind.alarming for k in triage.keys):
        return EXIT_FINDINGS
    unchecked = any(n.unchecked for n in triage.notes) or any(
        k.status.unchecked or k.status.status is KeyStatus.UNKNOWN for k in triage.keys
    )
    return EXIT_UNREADABLE if unchecked else EXIT_CLEAN
