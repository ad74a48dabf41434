"""Every exit code keyguard uses, in one table, and the one mapping from what the core
reports (an error's kind, what a rotation waits for) to a code.

No imports: the pre-commit hook loads this too. Kinds and waits are keyed by their value
(``plugins.errors.ErrorKind``, ``rotator.operator.Waiting``); a test holds the keys to them.
A code never means two things.
"""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3
EXIT_STEP_FAILED = 4
EXIT_CONFLICT = 5
EXIT_LOCKED = 6
EXIT_WAITING_NEW_KEY = 10
EXIT_WAITING_REVOKE = 11
EXIT_WAITING_INTEGRATIONS = 12
EXIT_INTERRUPTED = 130  # as a shell reports a process stopped by SIGINT

#: What each code means, for the help texts and the docs.
MEANING: dict[int, str] = {
    EXIT_CLEAN: "clean: no key found, or the rotation is done (nothing left to do)",
    EXIT_FINDINGS: (
        "something to act on: keys found (scan, sweep, merge, the hooks), a live or limited "
        "key (verify, triage), a retired key live again (triage), a rotation overdue or a key "
        "too old, a broken audit chain"
    ),
    EXIT_USAGE: "usage or configuration error",
    EXIT_UNREADABLE: "no key found, but something named could not be read or checked",
    EXIT_STEP_FAILED: "a rotation step failed; the journal says where and resume continues",
    EXIT_CONFLICT: "conflict: someone else changed the secret; nothing was overwritten",
    EXIT_LOCKED: "another process is rotating the same secret",
    EXIT_WAITING_NEW_KEY: "the rotation waits for the new key",
    EXIT_WAITING_REVOKE: "the rotation waits for the old key to be disabled",
    EXIT_WAITING_INTEGRATIONS: "the rotation waits for manual integrations to be confirmed",
    EXIT_INTERRUPTED: "stopped by Ctrl-C or SIGTERM",
}

#: An error's kind (``ErrorKind.value``) -> its exit code.
FOR_KIND: dict[str, int] = {
    "usage": EXIT_USAGE,
    "unreadable": EXIT_UNREADABLE,
    "step_failed": EXIT_STEP_FAILED,
    "conflict": EXIT_CONFLICT,
    "locked": EXIT_LOCKED,
}

#: What a rotation waits for (``Waiting.value``) -> its exit code.
FOR_WAITING: dict[str, int] = {
    "new_key": EXIT_WAITING_NEW_KEY,
    "revoke": EXIT_WAITING_REVOKE,
    "integrations": EXIT_WAITING_INTEGRATIONS,
}


def for_report(*, findings: bool, errors: bool) -> int:
    """1 when keys were found (whatever else failed), else 3 when something named could
    not be read, else 0."""
    if findings:
        return EXIT_FINDINGS
    return EXIT_UNREADABLE if errors else EXIT_CLEAN


def table_markdown() -> str:
    """The table as docs/exit-codes.md holds it (a test keeps the two equal)."""
    rows = "".join(f"| `{code}` | {meaning} |\n" for code, meaning in sorted(MEANING.items()))
    return (
        "# Exit codes\n\n"
        "Every exit code keyguard uses; a code never means two things. Generated from\n"
        "`keyguard/exit_codes.py` (a test keeps this page equal to it).\n\n"
        "| code | meaning |\n|---|---|\n" + rows
    )
