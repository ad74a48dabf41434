"""A deployed site, fetched the way a browser loads it: pages, then what they load.

Start at one page; follow ``<script src>``, module preloads, import maps, build
manifests and each script's source map; follow same-origin links to more pages (robots.txt
honoured for pages). Other hosts only with ``--allow-host``. Bounded by pages, assets,
bytes, per-response time and whole-crawl time. Problems become issues; nothing raises.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.robotparser
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx

from plugins.errors import ErrorKind
from scanner.detect.sourcemap.reference import MapSource, ReferenceRefused, Resolver, find_reference
from scanner.findings import ScanIssue
from scanner.sources.encoding import ACCEPT_ENCODING, DecodeError, decoded, unsupported
from scanner.sources.links import (
    MANIFESTS,
    build_manifest_urls,
    chunk_urls,
    json_urls,
    page_links,
)
from scanner.sources.netpolicy import CrawlLimits, Policy, Refused, check, same_origin

USER_AGENT = "keyguard (Klaviyo key leak scan)"
# Only codings decoded here, within the caps: httpx would inflate each chunk unbounded.
_HEADERS = {"user-agent": USER_AGENT, "accept-encoding": ACCEPT_ENCODING}
_HTML_HEAD = (b"<!doctype html", b"<html", b"<head", b"<!--")


@dataclass(frozen=True)
class Fetched:
    url: str
    kind: str  # page, script, map, manifest
    data: bytes
    source_map: str | None = None  # from a ``SourceMap:`` header, which wins over the comment


def _looks_html(content_type: str, data: bytes) -> bool:
    return content_type.startswith("text/html") or data[:200].lstrip().lower().startswith(
        _HTML_HEAD
    )


class Crawler:
    def __init__(
        self,
        client: httpx.Client,
        policy: Policy,
        limits: CrawlLimits,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.policy = policy
        self.limits = limits
        self.clock = clock
        self.issues: list[ScanIssue] = []
        self.spent = 0
        self.deadline = clock() + limits.max_seconds
        self._maps: dict[str, bytes | None] = {}

    def _issue(self, url: str, message: str, kind: ErrorKind | None = None) -> None:
        self.issues.append(ScanIssue(url, message, kind))

    def _refused(self, url: str, exc: Refused) -> None:
        self.issues.append(ScanIssue.of(url, f"not fetched: {exc}", exc))

    def fetch(self, url: str, kind: str, *, quiet_missing: bool = False) -> Fetched | None:
        """GET *url*, following redirects one checked hop at a time."""
        seen: set[str] = set()
        start = self.clock()
        while True:
            try:
                check(url, self.policy)
            except Refused as exc:
                self._refused(url, exc)
                return None
            if url in seen:
                self._issue(url, "redirect loop; not fetched")
                return None
            if len(seen) > self.limits.max_redirects:
                self._issue(url, f"more than {self.limits.max_redirects} redirects; not fetched")
                return None
            seen.add(url)
            try:
                with self.client.stream(
                    "GET", url, headers=_HEADERS, timeout=self.limits.timeout
                ) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        url = urllib.parse.urljoin(url, resp.headers["location"])
                        continue
                    if resp.status_code != 200:
                        if not (quiet_missing and resp.status_code in (401, 403, 404, 410)):
                            self._issue(url, f"HTTP {resp.status_code}; not scanned")
                        return None
                    data = self._body(url, resp, start)
                    if data is None:
                        return None
                    ctype = resp.headers.get("content-type", "").lower()
                    header_map = resp.headers.get("sourcemap") or resp.headers.get("x-sourcemap")
            except httpx.TimeoutException:
                self._issue(url, f"no answer within {self.limits.timeout:g} s; not scanned")
                return None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                self._issue(url, f"fetch failed ({type(exc).__name__}); not scanned")
                return None
            if kind in ("script", "chunk", "map", "manifest") and _looks_html(ctype, data):
                if not quiet_missing:
                    self._issue(url, f"served HTML where a {kind} was expected; not scanned")
                return None
            mapped = urllib.parse.urljoin(url, header_map) if header_map else None
            return Fetched(url, kind, data, mapped)

    def _body(self, url: str, resp: httpx.Response, start: float) -> bytes | None:
        coding = resp.headers.get("content-encoding", "")
        unknown = unsupported(coding)
        if unknown is not None:
            self._issue(url, f"Content-Encoding {unknown!r} not supported; not scanned")
            return None
        cap = min(self.limits.max_response_bytes, self.limits.max_total_bytes - self.spent)
        # Pieces joined once at the end: one copy of the body, not a growing buffer and a copy.
        pieces: list[bytes] = []
        size = 0
        # Raw bytes, decoded here a bounded piece at a time: what is past the cap is never
        # inflated (httpx's own decoding inflates a whole chunk, a bomb, before we see it).
        try:
            for piece in decoded(resp.iter_raw(), coding):
                if size + len(piece) > cap:
                    pieces.append(piece[: cap - size])
                    size = cap
                    self._issue(url, f"response larger than {cap} bytes; scanned the first {cap}")
                    break
                pieces.append(piece)
                size += len(piece)
                if self.clock() - start > self.limits.timeout:
                    self._issue(
                        url,
                        f"response still arriving after {self.limits.timeout:g} s; "
                        f"scanned the {size} bytes received",
                    )
                    break
        except DecodeError as exc:
            self._issue(url, f"not valid {coding} ({exc}); scanned the {size} bytes decoded before")
        self.spent += size
        return b"".join(pieces)

    def resolver(self, item: Fetched) -> Resolver:
        """Source maps a script names, fetched under the same policy (and fetched once)."""

        def resolve(reference: str) -> bytes | MapSource | None:
            target = item.source_map or urllib.parse.urljoin(item.url, reference)
            url = urllib.parse.urldefrag(target)[0]
            try:
                check(url, self.policy)
            except Refused as exc:
                raise ReferenceRefused(
                    f"source map {url} not read: {exc}", kind=exc.kind, **exc.facts
                ) from None
            body = self.map_body(url)
            return MapSource(body, url) if body is not None else None

        return resolve

    def map_body(self, url: str) -> bytes | None:
        if url not in self._maps:
            got = self.fetch(url, "map", quiet_missing=True)
            self._maps[url] = got.data if got else None
        return self._maps[url]

    def crawl(self, start: str) -> Iterator[Fetched]:
        try:
            check(start, self.policy)
        except Refused as exc:
            # Said once for the site, not again for its robots.txt.
            self._refused(start, exc)
            return
        robots = self._robots(start)
        pages: deque[str] = deque([start])
        assets: deque[tuple[str, str]] = deque()
        queued = {start}
        manifests_done = False
        fetched_pages = fetched_assets = 0

        def add_asset(url: str, kind: str) -> None:
            if url not in queued:
                queued.add(url)
                assets.append((url, kind))

        while pages or assets:
            if self.clock() > self.deadline:
                left = len(pages) + len(assets)
                self._issue(
                    start,
                    f"crawl stopped at its time limit; {left} URLs not fetched",
                    ErrorKind.CRAWL_OUT_OF_TIME,
                )
                return
            if self.spent >= self.limits.max_total_bytes:
                self._issue(start, "crawl byte budget spent; stopped", ErrorKind.CRAWL_BUDGET_SPENT)
                return
            if assets:
                url, kind = assets.popleft()
                if fetched_assets >= self.limits.max_assets:
                    self._issue(url, f"more than {self.limits.max_assets} assets; not fetched")
                    continue
                fetched_assets += 1
                if kind == "map":
                    body = self.map_body(url)
                    got = Fetched(url, "map", body) if body is not None else None
                else:
                    # Manifests are guessed and chunk names read out of code: a miss is no news.
                    got = self.fetch(url, kind, quiet_missing=kind in ("manifest", "chunk"))
                if got is None:
                    continue
                if kind == "manifest":
                    # Manifest entries name files from the build's root (Vite keeps its
                    # manifest in /.vite/ but lists "assets/x.js"), so join with the root.
                    for listed in _manifest_urls(got):
                        add_asset(
                            urllib.parse.urljoin(urllib.parse.urljoin(url, "/"), listed), "script"
                        )
                elif kind in ("script", "chunk"):
                    for chunk in build_manifest_urls(got.url, got.data):
                        add_asset(chunk, "script")
                    for chunk in chunk_urls(got.url, got.data):
                        add_asset(chunk, "chunk")
                    ref = find_reference(got.data)
                    if ref is not None and not ref.url.startswith("data:"):
                        add_asset(urllib.parse.urljoin(got.url, ref.url), "map")
                if got.source_map is not None:
                    add_asset(got.source_map, "map")
                yield got
                got = None  # not held while the next response arrives: one body at a time
                continue
            url = pages.popleft()
            if fetched_pages >= self.limits.max_pages:
                continue
            if robots is not None and not robots.can_fetch(USER_AGENT, url):
                if url == start:
                    self._issue(url, "robots.txt disallows this page; not fetched")
                continue
            fetched_pages += 1
            got = self.fetch(url, "page")
            if got is None:
                continue
            found_assets, found_pages = page_links(got.url, got.data)
            for asset in found_assets:
                add_asset(asset, "manifest" if asset.endswith("manifest.json") else "script")
            for page in found_pages:
                if same_origin(page, start) and page not in queued:
                    queued.add(page)
                    pages.append(page)
            if not manifests_done:
                manifests_done = True
                for path in MANIFESTS:
                    add_asset(urllib.parse.urljoin(start, path), "manifest")
            yield got
            got = None

    def _robots(self, start: str) -> urllib.robotparser.RobotFileParser | None:
        got = self.fetch(urllib.parse.urljoin(start, "/robots.txt"), "robots", quiet_missing=True)
        if got is None:
            return None
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(got.data.decode("utf-8", errors="replace").splitlines())
        return parser


def _manifest_urls(got: Fetched) -> list[str]:
    try:
        return list(json_urls(json.loads(got.data)))
    except (ValueError, RecursionError):
        return []
