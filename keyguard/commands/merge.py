"""``keyguard merge``: combine the JSON results of sweep shards into one report."""

from __future__ import annotations

from pathlib import Path

import click

from keyguard.exit_codes import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    epilog,
    for_report,
)
from keyguard.report_options import format_option, output_option, write_report
from plugins.errors import UsageError
from scanner.report import merge as merge_mod
from scanner.report.model import load


@click.command(
    epilog=epilog(
        {
            EXIT_CLEAN: "clean",
            EXIT_FINDINGS: "keys found",
            EXIT_USAGE: "usage error (an input is not a report, or the shards are not one "
            "whole set)",
            EXIT_UNREADABLE: "no keys found but some shard could not read something",
        }
    )
)
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Merge even when a shard is missing, given twice or of another target list "
    "(each is noted in the report's warnings).",
)
@format_option(console=False)
@output_option
def merge(results: tuple[Path, ...], allow_partial: bool, fmt: str, output: Path | None) -> int:
    """Merge RESULT.json files written by `keyguard sweep --shard I/N --format json`."""
    reports = [(path, load(path)) for path in results]
    problems = merge_mod.shard_problems(reports)
    if problems and not allow_partial:
        raise UsageError("; ".join(problems) + " (--allow-partial merges them anyway)")
    report = merge_mod.merge(report for _, report in reports)
    if problems:
        report = merge_mod.with_problems(report, problems)
        for problem in problems:
            click.echo(f"keyguard: note: {problem}", err=True)
    write_report(report, fmt, output, reveal=False)
    return for_report(findings=bool(report.findings), errors=bool(report.errors))
