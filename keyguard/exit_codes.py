"""Exit codes of scan, sweep, merge and the hook. No imports: the hook loads this too."""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3


def for_report(*, findings: bool, errors: bool) -> int:
    """1 when keys were found (whatever else failed), else 3 when something named could
    not be read, else 0."""
    if findings:
        return EXIT_FINDINGS
    return EXIT_UNREADABLE if errors else EXIT_CLEAN
