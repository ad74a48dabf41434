"""Scan a deployed site (crawled) or a saved crawl (WARC); occurrences carry asset URLs."""

from __future__ import annotations

from pathlib import Path

import httpx

from scanner.collect import Collector
from scanner.detect.engine import detect_bytes
from scanner.detect.options import DetectOptions
from scanner.findings import ScanIssue, ScanResult
from scanner.sources.netpolicy import CrawlLimits, Policy, origin_of
from scanner.sources.site import Crawler
from scanner.sources.warc import read_warc


def scan_site(
    url: str,
    *,
    client: httpx.Client,
    allow_hosts: frozenset[str] = frozenset(),
    allow_private: bool = False,
    limits: CrawlLimits | None = None,
    options: DetectOptions | None = None,
    ignored_hashes: frozenset[str] = frozenset(),
) -> ScanResult:
    """Crawl from *url* and scan every page and asset fetched. *client* must not follow
    redirects on its own: each hop is checked against the policy here."""
    try:
        origin = origin_of(url)
    except ValueError:
        origin = ("", "", 0)  # the crawl's first check says why
    policy = Policy(origin, frozenset(h.lower() for h in allow_hosts), allow_private)
    crawler = Crawler(client, policy, limits or CrawlLimits())
    tally = Collector(ignored_hashes=ignored_hashes)
    for item in crawler.crawl(url):
        tally.add_blob(
            len(item.data),
            detect_bytes(item.url, item.data, options=options, resolve=crawler.resolver(item)),
        )
        del item  # released before the next response is fetched: one body in memory at a time
    tally.errors.extend(crawler.issues)
    return tally.result()


def scan_warc(
    path: Path,
    *,
    options: DetectOptions | None = None,
    ignored_hashes: frozenset[str] = frozenset(),
) -> ScanResult:
    """Every response in a WARC file, reported under its target URI."""
    opts = options or DetectOptions()
    tally = Collector(ignored_hashes=ignored_hashes)
    issues: list[ScanIssue] = []
    try:
        for record in read_warc(path, opts.limits, issues, tally.warnings):
            tally.add_blob(len(record.data), detect_bytes(record.url, record.data, options=opts))
    except OSError as exc:
        issues.append(ScanIssue(str(path), f"cannot read: {exc.strerror or exc}"))
    tally.errors.extend(issues)
    return tally.result()
