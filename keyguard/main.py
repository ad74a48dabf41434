"""The ``keyguard`` command: a click group; each subcommand lives in ``keyguard/commands/``."""

from __future__ import annotations

import signal

import click

from keyguard.error_handler import run
from keyguard.lazy_group import LazyGroup
from keyguard.stdio import tolerate_unencodable_output
from keyguard.version import tool_version

EXIT_CODES_HELP = (
    "Exit codes: 0 clean, 1 findings, 2 usage or configuration error, "
    "3 nothing found but something named could not be read."
)


#: name -> (where the command lives, its one-line help). Commands load only when run.
COMMANDS = {
    "audit": (
        "keyguard.commands.audit:audit",
        "Label each unlabelled result in BASELINE as a real secret or a false positive.",
    ),
    "demo": (
        "keyguard.commands.demo:demo",
        "Sweep a built-in example repository (fake keys made on the spot) and check its keys.",
    ),
    "keys": ("keyguard.commands.keys:keys", "Inventory of the account's private API keys."),
    "merge": (
        "keyguard.commands.merge:merge",
        "Merge RESULT.json files written by `keyguard sweep --shard` into one report.",
    ),
    "plugin-path": (
        "keyguard.commands.plugin_path:plugin_path",
        "Print the path of the plugin file for `detect-secrets scan --plugin`.",
    ),
    "rotate": (
        "keyguard.commands.rotate:rotate",
        "Rotate a Klaviyo private key stored in Vault, or continue a rotation.",
    ),
    "scan": ("keyguard.commands.scan:scan", "Scan files, directories, the git index or stdin."),
    "sweep": (
        "keyguard.commands.sweep:sweep",
        "Sweep git history, directories and sites for Klaviyo private API keys.",
    ),
    "verify": (
        "keyguard.commands.verify:verify",
        "Check keys against the Klaviyo API: live, limited, revoked.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    epilog=EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(version=tool_version(), prog_name="keyguard")
def cli() -> None:
    """Find leaked Klaviyo private API keys, check them, and rotate them safely."""


def main() -> None:
    tolerate_unencodable_output()
    # A CI cancel or a pod stop sends SIGTERM, which by default ends the process before any
    # cleanup: a rotation's lock would block every other host for its whole lease. Stop
    # exactly as on Ctrl-C instead, so the lock is released and the journal left resumable.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    run(cli)


if __name__ == "__main__":
    main()
