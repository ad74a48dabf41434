"""The archive options as one record, in bytes."""

from __future__ import annotations

import click
import pytest

from keyguard.commands.limits import MiB, archive_options
from scanner.detect.archives import ArchiveLimits


@click.command()
@archive_options
def _echo(*, archive_limits: ArchiveLimits) -> ArchiveLimits:
    return archive_limits


def _parse(*args: str) -> ArchiveLimits:
    parsed: ArchiveLimits = _echo.main(list(args), standalone_mode=False)
    return parsed


def test_no_flags_are_the_detectors_defaults() -> None:
    assert _parse() == ArchiveLimits()


def test_sizes_are_given_in_mib() -> None:
    limits = _parse("--max-depth", "1", "--max-archive-bytes", "3", "--max-member-bytes", "2")
    assert limits == ArchiveLimits(
        max_depth=1, max_total_bytes=3 * MiB, max_member_bytes=2 * MiB, max_ratio=200
    )
    assert _parse("--max-ratio", "7").max_ratio == 7


def test_out_of_range_is_a_usage_error() -> None:
    with pytest.raises(click.BadParameter, match="not in the range x>=2"):
        _parse("--max-ratio", "1")
