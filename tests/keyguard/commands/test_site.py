"""The site options as one record: a site or a saved crawl, and the crawl's limits."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from keyguard.commands.site import MiB, SiteSource, site_options
from scanner.sources.netpolicy import CrawlLimits


@click.command()
@site_options
def _echo(*, site: SiteSource | None) -> SiteSource | None:
    return site


def _parse(*args: str) -> SiteSource | None:
    parsed: SiteSource | None = _echo.main(list(args), standalone_mode=False)
    return parsed


def test_neither_url_nor_warc_is_no_site() -> None:
    assert _parse() is None
    assert _parse("--allow-private", "--max-pages", "3") is None


def test_a_url_carries_the_crawl_limits() -> None:
    site = _parse(
        *("--url", "http://127.0.0.1:9/", "--allow-host", "cdn.example", "--allow-private"),
        *("--max-pages", "3", "--max-bytes", "2", "--max-seconds", "5", "--timeout", "0.5"),
    )
    assert site == SiteSource(
        url="http://127.0.0.1:9/",
        allow_hosts=frozenset({"cdn.example"}),
        allow_private=True,
        limits=CrawlLimits(max_pages=3, max_total_bytes=2 * MiB, max_seconds=5, timeout=0.5),
    )
    assert (site.source, site.kind) == ("http://127.0.0.1:9/", "site")


def test_no_crawl_flag_keeps_the_crawlers_defaults(tmp_path: Path) -> None:
    (tmp_path / "c.warc").write_bytes(b"")
    site = _parse("--warc", str(tmp_path / "c.warc"))
    assert site == SiteSource(warc=tmp_path / "c.warc")
    assert site.limits == CrawlLimits()
    assert (site.source, site.kind) == (str(tmp_path / "c.warc"), "warc")


def test_exactly_one_of_url_and_warc(tmp_path: Path) -> None:
    (tmp_path / "c.warc").write_bytes(b"")
    with pytest.raises(click.UsageError, match="give exactly one of --url and --warc"):
        _parse("--url", "http://127.0.0.1:9/", "--warc", str(tmp_path / "c.warc"))
    with pytest.raises(click.UsageError, match="exactly one"):
        SiteSource()
