"""The one place that maps errors to exit codes and one-line messages."""

from __future__ import annotations

import io
import sys

import click

from keyguard import error_wording
from keyguard.exit_codes import (
    EXIT_CLEAN,
    EXIT_CONFLICT,
    EXIT_INTERRUPTED,
    EXIT_LOCKED,
    EXIT_STEP_FAILED,
    EXIT_UNREADABLE,
    EXIT_USAGE,
)
from plugins.errors import ErrorKind, KeyguardError
from plugins.pattern import redact_keys

K = ErrorKind

#: Every kind of error, and the code a command ends with when one stops it.
EXIT_CODE: dict[ErrorKind, int] = {
    K.USAGE: EXIT_USAGE,
    K.UNREADABLE: EXIT_UNREADABLE,
    K.STEP_FAILED: EXIT_STEP_FAILED,
    K.CONFLICT: EXIT_CONFLICT,
    K.LOCKED: EXIT_LOCKED,
    # usage errors with a next step on the command line
    K.VAULT_LOGIN_INCOMPLETE: EXIT_USAGE,
    K.VAULT_AUTH_UNKNOWN: EXIT_USAGE,
    K.UNREACHABLE_NARROWED: EXIT_USAGE,
    K.BAD_SHARD: EXIT_USAGE,
    K.STAGED_WITHOUT_GIT: EXIT_USAGE,
    K.STAGED_OUTSIDE_WORK_TREE: EXIT_USAGE,
    K.BASELINE_NOT_JSON: EXIT_USAGE,
    K.BASELINE_TOO_OLD: EXIT_USAGE,
    K.NOT_A_REPORT: EXIT_USAGE,
    K.KLAVIYO_URL_INVALID: EXIT_USAGE,
    K.HOST_NOT_ALLOWED: EXIT_USAGE,
    K.PRIVATE_ADDRESS: EXIT_USAGE,
    # remote repositories left unread (notes of a sweep: exit 3 unless keys were found)
    K.CREDENTIALS_IN_URL: EXIT_UNREADABLE,
    K.FORGE_LOGIN_MISSING: EXIT_UNREADABLE,
    K.FORGE_LOGIN_REFUSED: EXIT_UNREADABLE,
    K.FORGE_ACCESS_DENIED: EXIT_UNREADABLE,
    K.FORGE_PRIVATE_UNSEEN: EXIT_UNREADABLE,
    K.RATE_LIMITED: EXIT_UNREADABLE,
    K.API_UNREACHABLE: EXIT_UNREADABLE,
    # what a limit left unread (as a scan's notes they make it exit 3 too)
    K.ARCHIVE_TOO_DEEP: EXIT_UNREADABLE,
    K.MEMBER_TOO_LARGE: EXIT_UNREADABLE,
    K.ARCHIVE_BUDGET_SPENT: EXIT_UNREADABLE,
    K.CRAWL_OUT_OF_TIME: EXIT_UNREADABLE,
    K.CRAWL_BUDGET_SPENT: EXIT_UNREADABLE,
    # rotation steps that failed
    K.KLAVIYO_NO_ANSWER: EXIT_STEP_FAILED,
    K.INTEGRATION_FAILED: EXIT_STEP_FAILED,
    K.VAULT_UNREACHABLE: EXIT_STEP_FAILED,
    K.VAULT_REFUSED: EXIT_STEP_FAILED,
    K.VAULT_FAILING: EXIT_STEP_FAILED,
    K.NOT_LOGGED_IN: EXIT_STEP_FAILED,
    K.NOT_ON_KV: EXIT_STEP_FAILED,
    K.PATH_IS_A_MOUNT: EXIT_STEP_FAILED,
    K.NO_KEY_IN_FIELD: EXIT_STEP_FAILED,
    K.FIELD_GONE: EXIT_STEP_FAILED,
    K.NOTHING_TO_RESUME: EXIT_STEP_FAILED,
    K.OLD_KEY_NOT_DISABLED: EXIT_STEP_FAILED,
    K.ROLLBACK_TOO_LATE: EXIT_STEP_FAILED,
    K.CAS_FAILED: EXIT_CONFLICT,
}


def exit_code_for(error: KeyguardError) -> int:
    return EXIT_CODE[error.kind]


def run(command: click.Command) -> None:
    """Run a click command; a KeyguardError becomes one line on stderr and its exit code.

    Tracebacks are suppressed for our own errors because their messages are written to
    be read by people and never contain a key; anything else is a bug and keeps its
    traceback (which still cannot show a key: keys are held as ``Secret`` objects).
    """
    try:
        code = command.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("keyguard: aborted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)
        sys.stderr.write(redact_keys(shown.getvalue()))  # click repeats a bad argument
        sys.exit(EXIT_USAGE)
    except KeyguardError as exc:
        click.echo(f"keyguard: error: {redact_keys(error_wording.message(exc))}", err=True)
        sys.exit(exit_code_for(exc))
    sys.exit(code if isinstance(code, int) else EXIT_CLEAN)
