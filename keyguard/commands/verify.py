"""``keyguard verify``: is each key live, and whose is it? Keys come on stdin, never argv."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from keyguard.exit_codes import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_USAGE, epilog
from keyguard.klaviyo_options import (
    klaviyo_url_options,
    make_verifier,
    open_client,
    verifier_options,
)
from keyguard.output import stderr, write_rich, write_text
from keyguard.verify_io import exit_code, gather, render_json, rows_for
from plugins.errors import UsageError


@click.command(
    epilog=epilog(
        {
            EXIT_CLEAN: "every key revoked",
            EXIT_FINDINGS: "some key live or limited",
            EXIT_USAGE: "usage error (or no key in the input: nothing was checked)",
            EXIT_UNREADABLE: "none live but some could not be verified",
        }
    )
)
@click.option(
    "--from-report",
    "report",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A keyguard JSON report; its keys come from a --show-secrets run or from stdin.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["console", "json"]), default="console", show_default=True
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False))
@klaviyo_url_options
@verifier_options
def verify(
    report: Path | None,
    fmt: str,
    output: Path | None,
    klaviyo_url: str,
    klaviyo_revision: str,
    klaviyo_timeout: float,
    verify_concurrency: int,
    verify_budget: float,
) -> int:
    """Check keys against the Klaviyo API: live, limited, revoked or unknown.

    Pipe keys on stdin, one per line (keys are never taken as arguments: other users can
    read a command line). Each key costs one GET /api/accounts; nothing personal is read.
    """
    interactive = sys.stdin is None or sys.stdin.isatty()
    if interactive and report is None:
        raise UsageError("pipe keys on stdin (one per line) or pass --from-report REPORT.json")
    key_input = gather(None if interactive else sys.stdin.read(), report)
    if key_input.ignored_lines:
        n = key_input.ignored_lines
        stderr(f"keyguard verify: {n} input line{'s' if n != 1 else ''} held no Klaviyo key")
    if not key_input.secrets and not key_input.missing:
        # Exit 0 would read as "every key revoked" to a script that checked nothing.
        raise UsageError("no Klaviyo key in the input: nothing was checked")
    with open_client(klaviyo_url, klaviyo_revision, klaviyo_timeout) as client:
        verifier = make_verifier(client, verify_concurrency, verify_budget)
        results = verifier.verify(key_input.secrets)
    rows = rows_for(key_input, results)
    if fmt == "json":
        write_text(render_json(rows), output)
    else:
        from keyguard.render import verify_console  # rich: only for people

        write_rich(verify_console.render(rows), output)
    return exit_code(rows)
