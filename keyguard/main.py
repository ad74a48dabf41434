"""The ``keyguard`` command: a click group; each subcommand lives in ``keyguard/commands/``."""

from __future__ import annotations

import signal

import click

from keyguard.commands.audit import audit
from keyguard.commands.demo import demo
from keyguard.commands.keys import keys
from keyguard.commands.merge import merge
from keyguard.commands.plugin_path import plugin_path
from keyguard.commands.rotate import rotate
from keyguard.commands.scan import scan
from keyguard.commands.sweep import sweep
from keyguard.commands.verify import verify
from keyguard.error_handler import run
from keyguard.stdio import tolerate_unencodable_output
from keyguard.version import tool_version

EXIT_CODES_HELP = (
    "Exit codes: 0 clean, 1 findings, 2 usage or configuration error, "
    "3 nothing found but something named could not be read."
)


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=tool_version(), prog_name="keyguard")
def cli() -> None:
    """Find leaked Klaviyo private API keys, check them, and rotate them safely."""


cli.add_command(scan)
cli.add_command(demo)
cli.add_command(audit)
cli.add_command(verify)
cli.add_command(keys)
cli.add_command(sweep)
cli.add_command(merge)
cli.add_command(rotate)
cli.add_command(plugin_path)


def main() -> None:
    tolerate_unencodable_output()
    # A CI cancel or a pod stop sends SIGTERM, which by default ends the process before any
    # cleanup: a rotation's lock would block every other host for its whole lease. Stop
    # exactly as on Ctrl-C instead, so the lock is released and the journal left resumable.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    run(cli)


if __name__ == "__main__":
    main()
