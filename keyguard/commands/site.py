"""``keyguard sweep --url`` / ``--warc``: a deployed site or a saved crawl.

The options are one decorator (:func:`site_options`) that builds one record
(:class:`SiteSource`), and the work one function (:func:`run_site`), so the sweep command
takes them with a few lines.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

import click

from scanner.detect.options import DetectOptions
from scanner.findings import ScanResult
from scanner.fleet import SweepResult, TargetSummary
from scanner.sources.netpolicy import CrawlLimits
from scanner.sweep import SweepStats

F = TypeVar("F", bound=Callable[..., object])
MiB = 1 << 20
_DEFAULT = CrawlLimits()


@dataclass(frozen=True)
class SiteSource:
    """A deployed site to crawl (``url``) or a saved crawl to read (``warc``), exactly one,
    and what the crawl may fetch."""

    url: str | None = None
    warc: Path | None = None
    allow_hosts: frozenset[str] = frozenset()
    allow_private: bool = False
    limits: CrawlLimits = field(default_factory=CrawlLimits)

    def __post_init__(self) -> None:
        if (self.url is None) == (self.warc is None):
            raise click.UsageError("give exactly one of --url and --warc")

    @property
    def source(self) -> str:
        """The site or the file, as the sweep's report names the target."""
        return self.url if self.url is not None else str(self.warc)

    @property
    def kind(self) -> str:
        return "site" if self.url is not None else "warc"


def site_options(func: F) -> F:
    """``--url`` or ``--warc`` and the crawl's options, handed to the command as one
    ``site: SiteSource | None`` (None: neither was given)."""

    @functools.wraps(func)
    def wrapper(
        *args: object,
        url: str | None,
        warc: Path | None,
        allow_host: tuple[str, ...],
        allow_private: bool,
        max_pages: int,
        max_bytes: int,
        max_seconds: float,
        timeout: float,
        **kwargs: object,
    ) -> object:
        site = None
        if url is not None or warc is not None:
            limits = CrawlLimits(
                max_pages=max_pages,
                max_total_bytes=max_bytes * MiB,
                max_seconds=max_seconds,
                timeout=timeout,
            )
            site = SiteSource(url, warc, frozenset(allow_host), allow_private, limits)
        return func(*args, site=site, **kwargs)

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
    decorated: Callable[..., object] = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return cast(F, decorated)


def run_site(site: SiteSource, detect: DetectOptions) -> ScanResult:
    # httpx and the crawler load only when a site is scanned, not on every keyguard start.
    import httpx

    from scanner.sitescan import scan_site, scan_warc

    if site.warc is not None:
        return scan_warc(site.warc, options=detect)
    assert site.url is not None
    # Redirects are followed by the crawler, one policy-checked hop at a time.
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        return scan_site(
            site.url,
            client=client,
            allow_hosts=site.allow_hosts,
            allow_private=site.allow_private,
            limits=site.limits,
            options=detect,
        )


def as_sweep_result(result: ScanResult, source: str, kind: str) -> SweepResult:
    """A site or WARC scan as one sweep target, for the sweep's reports."""
    stats = SweepStats(files=result.stats.files, bytes=result.stats.bytes)
    occurrences = sum(len(f.occurrences) for f in result.findings)
    summary = TargetSummary(source, kind, stats, occurrences, len(result.errors))
    return SweepResult(
        result.findings, result.errors, result.warnings, (summary,), stats, frozenset()
    )
