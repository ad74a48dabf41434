"""``keyguard scan``: files, directories, or the staged content of the git index."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from keyguard.commands.limits import archive_options
from keyguard.exit_codes import REPORT_CODES, epilog, for_report
from keyguard.klaviyo_options import Verification, verification_options
from keyguard.output import write_rich, write_styled
from keyguard.report_options import (
    format_option,
    output_option,
    show_secrets_option,
    write_report,
)
from scanner.detect.archives import ArchiveLimits
from scanner.detect.options import DetectOptions
from scanner.exclude import Excludes
from scanner.report import wording
from scanner.report.model import Report
from scanner.scan import scan_paths, scan_staged, scan_stream
from scanner.stores import baseline as baseline_mod


@click.command(epilog=epilog(REPORT_CODES))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--staged",
    is_flag=True,
    help="Scan what the next commit holds: the staged content of the git index (not the "
    "work tree) under PATH, a repository or a directory or file in one (default: .).",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Ignore keys recorded in this detect-secrets baseline.",
)
@click.option(
    "--update-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write or update a detect-secrets baseline with the keys found.",
)
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="PATTERN",
    help="Skip paths matching PATTERN, in .gitignore syntax, relative to each directory "
    "named (repeatable).",
)
@format_option()
@output_option
@show_secrets_option
@archive_options
@verification_options
def scan(
    paths: tuple[Path, ...],
    staged: bool,
    baseline_path: Path | None,
    update_baseline: Path | None,
    excludes: tuple[str, ...],
    fmt: str,
    output: Path | None,
    show_secrets: bool,
    archive_limits: ArchiveLimits,
    verification: Verification | None,
) -> int:
    """Scan PATHS (default: the current directory; '-': standard input) for Klaviyo
    private API keys.

    Inside a git work tree, .gitignore is honoured. Binary files are read too, for keys
    written in them as ASCII or UTF-16.
    Keys are shown redacted (pk_… and the last four characters) with a SHA-256 fingerprint.
    """
    options = DetectOptions(limits=archive_limits)
    ignored: frozenset[str] = frozenset()
    if baseline_path is not None:
        ignored = baseline_mod.load(baseline_path).hashes
    if staged:
        if len(paths) > 1:
            raise click.UsageError("--staged takes at most one PATH")
        result = scan_staged(
            paths[0] if paths else Path("."),
            ignored_hashes=ignored,
            options=options,
        )
    elif Path("-") in paths:
        if len(paths) > 1:
            raise click.UsageError("'-' (standard input) is scanned on its own: drop the PATHS")
        result = scan_stream(sys.stdin.buffer.read, ignored_hashes=ignored, options=options)
    else:
        result = scan_paths(
            paths or (Path("."),),
            ignored_hashes=ignored,
            options=options,
            excludes=Excludes.of(excludes),
        )
    if update_baseline is not None:
        # Names relative to the baseline itself, where `keyguard audit` looks them up.
        baseline_mod.update(update_baseline, result.findings, root=update_baseline.parent)
    # After the baseline update, so --only-live never drops keys from the baseline.
    if verification is not None:
        result = dataclasses.replace(result, findings=verification.apply(result.findings))
    if fmt == "console" and not (result.findings or result.errors or result.warnings):
        counts, extras = wording.summary(result)
        parts = [(counts, "bold green")] + ([("; " + extras, "dim")] if extras else [])
        write_styled(parts, output, reveal=show_secrets)
    elif fmt == "console":
        from keyguard.render import console  # rich: only when there is something to show

        write_rich(console.render(result, show_secrets=show_secrets), output, reveal=show_secrets)
    else:
        report = Report.of_scan(result, show_secrets=show_secrets)
        write_report(report, fmt, output, reveal=show_secrets)
    return for_report(findings=bool(result.findings), errors=bool(result.errors))
