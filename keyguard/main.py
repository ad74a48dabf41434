"""The ``keyguard`` command: a click group; each subcommand lives in ``keyguard/commands/``,
except ``rotate``, whose parts have a folder of their own (``keyguard/rotate/``)."""

from __future__ import annotations

import gc
import signal

import click

from keyguard.error_handler import run
from keyguard.exit_codes import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_USAGE, epilog
from keyguard.lazy_group import LazyCommand, LazyGroup
from keyguard.stdio import tolerate_unencodable_output
from keyguard.version import tool_version

EXIT_CODES_HELP = epilog(
    {
        EXIT_CLEAN: "clean",
        EXIT_FINDINGS: "findings",
        EXIT_USAGE: "usage or configuration error",
        EXIT_UNREADABLE: "nothing found but something named could not be read",
    }
)

#: Imported when run, not for --help: see keyguard.lazy_group.
COMMANDS = {
    "audit": LazyCommand(
        "keyguard.commands.audit:audit",
        "Label each unlabelled result in BASELINE as a real secret or a false positive.",
    ),
    "demo": LazyCommand(
        "keyguard.commands.demo:demo",
        "Sweep a built-in example repository (fake keys made on the spot, plus decoys) and "
        "check each key against a local Klaviyo stand-in.",
    ),
    "keys": LazyCommand(
        "keyguard.commands.keys:keys",
        "Inventory of the account's private API keys (Klaviyo's beta API-keys endpoints).",
    ),
    "merge": LazyCommand(
        "keyguard.commands.merge:merge",
        "Merge RESULT.json files written by `keyguard sweep --shard I/N --format json`.",
    ),
    "plugin-path": LazyCommand(
        "keyguard.commands.plugin_path:plugin_path",
        "Print the path of the plugin file for `detect-secrets scan --plugin`.",
    ),
    "rotate": LazyCommand(
        "keyguard.rotate.command:rotate",
        "Rotate a Klaviyo private key stored in Vault, or continue the rotation in progress.",
    ),
    "scan": LazyCommand(
        "keyguard.commands.scan:scan",
        "Scan PATHS (default: the current directory; '-': standard input) for Klaviyo "
        "private API keys.",
    ),
    "sweep": LazyCommand(
        "keyguard.commands.sweep:sweep",
        "Sweep git history for Klaviyo private API keys: every blob of every branch, tag, "
        "remote-tracking ref, stash and note, each read once; plus untracked work-tree files.",
    ),
    "triage": LazyCommand(
        "keyguard.commands.triage:triage",
        "Tie each key of REPORT.json... to Vault, Klaviyo and the rotations: what to do next.",
    ),
    "verify": LazyCommand(
        "keyguard.commands.verify:verify",
        "Check keys against the Klaviyo API: live, limited, revoked or unknown.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    epilog=EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--version",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, _param, value: _show_version(ctx) if value else None,
    help="Show the version and exit.",
)
def cli() -> None:
    """Find leaked Klaviyo private API keys, check them, and rotate them safely."""


def _show_version(ctx: click.Context) -> None:
    # A callback, not click.version_option(version=…): the version is looked up only
    # when asked for, not on every start.
    click.echo(f"keyguard, version {tool_version()}")
    ctx.exit()


def main() -> None:
    tolerate_unencodable_output()
    # A CI cancel or a pod stop sends SIGTERM, which by default ends the process before any
    # cleanup: a rotation's lock would block every other host for its whole lease. Stop
    # exactly as on Ctrl-C instead, so the lock is released and the journal left resumable.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # A scan keeps every finding until its report: with the default threshold of 700 the
    # collector walks that growing heap again and again (50k findings: a fifth of the run).
    gc.set_threshold(50_000, 20, 100)
    run(cli)


if __name__ == "__main__":
    main()
