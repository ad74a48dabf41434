"""``keyguard merge``: combine the JSON results of sweep shards into one report."""

from __future__ import annotations

from pathlib import Path

import click

from keyguard.exit_codes import for_report
from keyguard.report_options import format_option, output_option, write_document
from scanner import merge as merge_mod


@click.command(
    epilog="Exit codes: 0 clean, 1 keys found, 2 usage error (an input is not a report), "
    "3 no keys found but some shard could not read something."
)
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@format_option(console=False)
@output_option
def merge(results: tuple[Path, ...], fmt: str, output: Path | None) -> int:
    """Merge RESULT.json files written by `keyguard sweep --shard I/N --format json`."""
    document = merge_mod.merge(merge_mod.load(path) for path in results)
    write_document(document, fmt, output, reveal=False)
    return for_report(findings=bool(document["findings"]), errors=bool(document["errors"]))
