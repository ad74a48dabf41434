"""``keyguard sweep --url`` / ``--warc``: a deployed site or a saved crawl.

The options are one decorator (:func:`site_options`) and the work one function
(:func:`run_site`), so the sweep command takes them with a few lines.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from keyguard.commands.limits import archive_options, detect_options
from scanner.findings import ScanResult
from scanner.fleet import SweepResult, TargetSummary
from scanner.sources.netpolicy import CrawlLimits
from scanner.sweep import SweepStats

F = TypeVar("F", bound=Callable[..., Any])
MiB = 1 << 20
_DEFAULT = CrawlLimits()


def site_options(func: F) -> F:
    options = [
        click.option("--url", help="Crawl this page and everything it loads (http or https)."),
        click.option(
            "--warc",
            type=click.Path(path_type=Path, dir_okay=False, exists=True),
            help="Scan the responses saved in this WARC file instead of crawling.",
        ),
        click.option(
            "--allow-host",
            multiple=True,
            metavar="HOST[:PORT]",
            help="Also fetch assets from HOST (a CDN) on its default port, or from HOST:PORT. "
            "Repeatable.",
        ),
        click.option(
            "--allow-private",
            is_flag=True,
            help="Allow loopback and private addresses (local test servers).",
        ),
        click.option(
            "--max-pages",
            type=click.IntRange(1),
            default=_DEFAULT.max_pages,
            show_default=True,
            help="Pages fetched, at most.",
        ),
        click.option(
            "--max-bytes",
            type=click.IntRange(1),
            show_default=True,
            default=_DEFAULT.max_total_bytes // MiB,
            help="MiB fetched in total.",
        ),
        click.option(
            "--max-seconds",
            type=click.FloatRange(1),
            show_default=True,
            default=_DEFAULT.max_seconds,
            help="Stop the crawl after this long.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.1),
            default=_DEFAULT.timeout,
            show_default=True,
            help="Seconds one response may take, first to last byte.",
        ),
    ]
    func = archive_options(func)  # listed after the crawl options in --help
    for option in reversed(options):
        func = option(func)
    return func


def run_site(
    *,
    url: str | None,
    warc: Path | None,
    allow_host: tuple[str, ...],
    allow_private: bool,
    max_pages: int,
    max_bytes: int,
    max_seconds: float,
    timeout: float,
    max_depth: int,
    max_archive_bytes: int,
    max_member_bytes: int,
    max_ratio: int,
    ignored_hashes: frozenset[str] = frozenset(),
) -> ScanResult:
    if (url is None) == (warc is None):
        raise click.UsageError("give exactly one of --url and --warc")
    # httpx and the crawler load only when a site is scanned, not on every keyguard start.
    import httpx

    from scanner.sitescan import scan_site, scan_warc

    options = detect_options(max_depth, max_archive_bytes, max_member_bytes, max_ratio)
    if warc is not None:
        return scan_warc(warc, options=options, ignored_hashes=ignored_hashes)
    assert url is not None
    limits = CrawlLimits(
        max_pages=max_pages,
        max_total_bytes=max_bytes * MiB,
        max_seconds=max_seconds,
        timeout=timeout,
    )
    # Redirects are followed by the crawler, one policy-checked hop at a time.
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        return scan_site(
            url,
            client=client,
            allow_hosts=frozenset(allow_host),
            allow_private=allow_private,
            limits=limits,
            options=options,
            ignored_hashes=ignored_hashes,
        )


def as_sweep_result(result: ScanResult, source: str, kind: str) -> SweepResult:
    """A site or WARC scan as one sweep target, for the sweep's reports."""
    stats = SweepStats(files=result.stats.files, bytes=result.stats.bytes)
    occurrences = sum(len(f.occurrences) for f in result.findings)
    summary = TargetSummary(source, kind, stats, occurrences, len(result.errors))
    return SweepResult(result.findings, result.errors, (), (summary,), stats, frozenset())
