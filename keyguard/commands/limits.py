"""Options shared by every command that opens archives: depth, bytes, ratio."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar, cast

import click

from scanner.detect.archives import ArchiveLimits

F = TypeVar("F", bound=Callable[..., object])
MiB = 1 << 20
_DEFAULT = ArchiveLimits()


def archive_options(func: F) -> F:
    """Add ``--max-depth``, ``--max-archive-bytes``, ``--max-member-bytes``, ``--max-ratio``,
    handed to the command as one ``archive_limits: ArchiveLimits`` (in bytes)."""

    @functools.wraps(func)
    def wrapper(
        *args: object,
        max_depth: int,
        max_archive_bytes: int,
        max_member_bytes: int,
        max_ratio: int,
        **kwargs: object,
    ) -> object:
        limits = ArchiveLimits(
            max_depth=max_depth,
            max_total_bytes=max_archive_bytes * MiB,
            max_member_bytes=max_member_bytes * MiB,
            max_ratio=max_ratio,
        )
        return func(*args, archive_limits=limits, **kwargs)

    options = [
        click.option(
            "--max-depth",
            type=click.IntRange(0, 32),
            default=_DEFAULT.max_depth,
            show_default=True,
            help="Archives opened inside archives, at most.",
        ),
        click.option(
            "--max-archive-bytes",
            type=click.IntRange(1),
            show_default=True,
            default=_DEFAULT.max_total_bytes // MiB,
            help="MiB decompressed from one file, all nested members together.",
        ),
        click.option(
            "--max-member-bytes",
            type=click.IntRange(1),
            show_default=True,
            default=_DEFAULT.max_member_bytes // MiB,
            help="MiB one archive member or compressed stream may decompress to.",
        ),
        click.option(
            "--max-ratio",
            type=click.IntRange(2),
            default=_DEFAULT.max_ratio,
            show_default=True,
            help="Compression ratio past which a member is a bomb.",
        ),
    ]
    decorated: Callable[..., object] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return cast(F, decorated)
