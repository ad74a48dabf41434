"""Every exit code keyguard uses, each with its one meaning; a code never means two things.

No imports: the pre-commit hook loads this too. What maps an error's kind to a code is
``keyguard/error_handler.py``; docs/exit-codes.md is :func:`table_markdown` (a test keeps
the two equal), and each command's ``--help`` lists its own codes through :func:`epilog`.
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

MEANING: dict[int, str] = {
    EXIT_CLEAN: "success: nothing found to act on, or what was asked is done",
    EXIT_FINDINGS: (
        "something to act on: keys found (scan, sweep, merge, the hooks), a live or limited "
        "key (verify, triage), a retired key live again (triage), a rotation overdue or a key "
        "too old, a broken audit chain"
    ),
    EXIT_USAGE: "usage or configuration error",
    EXIT_UNREADABLE: (
        "nothing to act on was found, but something named could not be read or checked"
    ),
    EXIT_STEP_FAILED: "a rotation step failed; the journal says where and resume continues",
    EXIT_CONFLICT: "conflict: someone else changed the secret; nothing was overwritten",
    EXIT_LOCKED: "another process is rotating the same secret",
    EXIT_WAITING_NEW_KEY: "the rotation waits for the new key",
    EXIT_WAITING_REVOKE: "the rotation waits for the old key to be disabled",
    EXIT_WAITING_INTEGRATIONS: "the rotation waits for manual integrations to be confirmed",
    EXIT_INTERRUPTED: "stopped by Ctrl-C or SIGTERM (a rotation is left resumable)",
}


#: What scan and sweep end with (and the hook: a commit is blocked by any but 0).
REPORT_CODES = {
    EXIT_CLEAN: "clean",
    EXIT_FINDINGS: "keys found",
    EXIT_USAGE: "usage or configuration error",
    EXIT_UNREADABLE: "no keys found but something named could not be read",
}


def for_report(*, findings: bool, errors: bool) -> int:
    """1 when keys were found (whatever else failed), else 3 when something named could
    not be read, else 0."""
    if findings:
        return EXIT_FINDINGS
    return EXIT_UNREADABLE if errors else EXIT_CLEAN


def epilog(codes: dict[int, str]) -> str:
    """A command's ``Exit codes:`` line: each of its codes, in its own words."""
    unknown = set(codes) - set(MEANING)
    if unknown:
        raise ValueError(f"exit codes not in the table: {sorted(unknown)}")
    return "Exit codes: " + ", ".join(f"{code} {words}" for code, words in codes.items()) + "."


def table_markdown() -> str:
    """docs/exit-codes.md."""
    rows = "".join(f"| `{code}` | {MEANING[code]} |\n" for code in sorted(MEANING))
    return (
        "# Exit codes\n\n"
        "Every exit code keyguard uses; a code never means two things. Each command's\n"
        "`--help` lists the ones it can end with. Generated from `keyguard/exit_codes.py`\n"
        "(a test keeps this page equal to it).\n\n"
        "| code | meaning |\n|---|---|\n" + rows
    )
