"""``keyguard merge``: combine the JSON results of sweep shards into one report."""

from __future__ import annotations

from pathlib import Path

import click

from keyguard.error_handler import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE
from keyguard.output import write_text
from keyguard.version import tool_version
from scanner import merge as merge_mod
from scanner.report import jsonl, sarif, sweep_report


@click.command(
    epilog="Exit codes: 0 clean, 1 keys found, 2 usage error (an input is not a report), "
    "3 no keys found but some shard could not read something."
)
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "sarif"]),
    default="json",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the merged report to this file instead of stdout.",
)
def merge(results: tuple[Path, ...], fmt: str, output: Path | None) -> int:
    """Merge RESULT.json files written by `keyguard sweep --shard I/N --format json`."""
    document = merge_mod.merge(merge_mod.load(path) for path in results)
    if fmt == "json":
        write_text(sweep_report.dumps(document), output)
    elif fmt == "jsonl":
        write_text(jsonl.render(document), output)
    else:
        write_text(sarif.render(document, tool_version=tool_version()), output)
    if document["findings"]:
        return EXIT_FINDINGS
    return EXIT_UNREADABLE if document["errors"] else EXIT_CLEAN
