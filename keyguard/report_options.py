"""Report options and machine renderings shared by scan, sweep and merge."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from keyguard import error_wording
from keyguard.output import write_text
from keyguard.version import tool_version
from scanner.report.model import Report

F = TypeVar("F", bound=Callable[..., Any])

MACHINE_FORMATS = ("json", "jsonl", "sarif")


def format_option(*, console: bool = True) -> Callable[[F], F]:
    choices = (("console",) if console else ()) + MACHINE_FORMATS
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help=("console for people; " if console else "")
        + "json, jsonl (one occurrence per line) or sarif (SARIF 2.1.0, for GitHub code "
        "scanning) for machines.",
    )


output_option = click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of stdout.",
)

show_secrets_option = click.option(
    "--show-secrets", is_flag=True, help="Print whole keys instead of pk_…abcd."
)


def write_report(report: Report, fmt: str, output: Path | None, *, reveal: bool) -> None:
    """Write *report* as json, jsonl or sarif, its notes worded with their next steps."""
    warnings = report.warnings
    report = dataclasses.replace(
        report,
        errors=error_wording.notes(report.errors),
        warnings=None if warnings is None else error_wording.notes(warnings),
    )
    if fmt == "json":
        text = report.dumps()
    elif fmt == "jsonl":
        from scanner.report import jsonl

        text = jsonl.render(report)
    else:
        from scanner.report import sarif  # imported when asked for: start-up of every scan

        text = sarif.render(report, tool_version=tool_version(), rotate_with="`keyguard rotate`")
    write_text(text, output, reveal=reveal)
