"""The one place that maps errors to exit codes and one-line messages."""

from __future__ import annotations

import io
import sys

import click

from keyguard.exit_codes import EXIT_INTERRUPTED, EXIT_USAGE, FOR_KIND
from plugins.errors import KeyguardError
from plugins.pattern import redact_keys


def exit_code_for(error: KeyguardError) -> int:
    """The one place an error becomes an exit code: by its kind, through the table."""
    return FOR_KIND[error.kind.value]


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
        click.echo(f"keyguard: error: {redact_keys(str(exc))}", err=True)
        sys.exit(exit_code_for(exc))
    sys.exit(code if isinstance(code, int) else 0)
