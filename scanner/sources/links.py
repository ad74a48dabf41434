"""What a browser would load for a page: scripts, preloads, import maps, build manifests."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser

#: Build manifests of common bundlers, fetched once per origin when present.
MANIFESTS = (
    "/.vite/manifest.json",
    "/manifest.json",
    "/asset-manifest.json",
    "/build-manifest.json",
)
_ASSET = re.compile(r"\.(?:m?js|cjs|css|map|json|bundle)(?:[?#].*)?$", re.IGNORECASE)
_PRELOAD_RELS = {"modulepreload", "preload", "prefetch", "stylesheet"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.assets: list[str] = []
        self.pages: list[str] = []
        self.base: str | None = None
        self._capture: str | None = None  # "importmap" or "next" while inside such a script
        self._text: list[str] = []
        self.import_maps: list[str] = []
        self.next_data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "base" and a.get("href"):
            self.base = a["href"]
        elif tag == "script":
            if a.get("src"):
                self.assets.append(a["src"])
            elif a.get("type", "").lower() == "importmap":
                self._capture = "importmap"
            elif a.get("id") == "__NEXT_DATA__":
                self._capture = "next"
        elif tag == "link" and a.get("href"):
            rels = set(a.get("rel", "").lower().split())
            if rels & _PRELOAD_RELS and (
                "modulepreload" in rels or a.get("as", "") in ("script", "style", "")
            ):
                self.assets.append(a["href"])
        elif tag == "a" and a.get("href"):
            self.pages.append(a["href"])

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._capture:
            text = "".join(self._text)
            (self.import_maps if self._capture == "importmap" else self.next_data).append(text)
            self._capture, self._text = None, []


def json_urls(value: object) -> Iterator[str]:
    """String values in a JSON document that look like asset paths."""
    if isinstance(value, str):
        if _ASSET.search(value) and not value.startswith("data:"):
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from json_urls(v)
    elif isinstance(value, list):
        for v in value:
            yield from json_urls(v)


_QUOTED_JS = re.compile(rb"[\"']([\w./~-]{1,300}\.(?:m?js|css))[\"']")


def build_manifest_urls(url: str, data: bytes) -> list[str]:
    """Chunks a Next.js ``_buildManifest.js`` lists (named relative to ``/_next/``)."""
    if not urllib.parse.urlsplit(url).path.endswith("/_buildManifest.js"):
        return []
    base = urllib.parse.urljoin(url, "/_next/")
    return _absolute(base, [m.group(1).decode("ascii") for m in _QUOTED_JS.finditer(data)])


_IMPORT = re.compile(rb"""(?:import\(\s*|from\s*)["'`](\.{1,2}/[\w./-]{1,200}\.m?js)["'`]""")
_VITE_DEPS = re.compile(rb"__vite__mapDeps\([^)]{0,20}|m\.f\|\|\(m\.f=\[")


def chunk_urls(url: str, data: bytes) -> list[str]:
    """Chunks a module loads later: ``import("./x.js")``, ``from "./x.js"``, and the file
    lists Vite's ``__vite__mapDeps`` keeps (named from the site's root)."""
    found = _absolute(url, [m.group(1).decode("ascii") for m in _IMPORT.finditer(data)])
    for m in _VITE_DEPS.finditer(data):
        listed = data[m.end() : m.end() + 20_000]
        close = listed.find(b"]")
        root = urllib.parse.urljoin(url, "/")
        found += _absolute(
            root, [q.group(1).decode("ascii") for q in _QUOTED_JS.finditer(listed[:close])]
        )
    return found


def page_links(url: str, html: bytes) -> tuple[list[str], list[str]]:
    """``(assets, pages)`` a page references, as absolute URLs without fragments."""
    parser = _PageParser()
    try:
        parser.feed(html.decode("utf-8", errors="replace"))
        parser.close()
    except AssertionError:  # html.parser gives up on some malformed markup
        pass
    base = urllib.parse.urljoin(url, parser.base) if parser.base else url
    assets = list(parser.assets)
    for text in parser.import_maps:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if isinstance(doc, dict):
            for section in ("imports", "scopes"):
                assets.extend(u for u in _strings(doc.get(section)))
    for text in parser.next_data:
        try:
            build = json.loads(text).get("buildId")
        except (ValueError, AttributeError):
            continue
        if isinstance(build, str) and re.fullmatch(r"[\w.-]{1,100}", build):
            assets.append(f"/_next/static/{build}/_buildManifest.js")
    return _absolute(base, assets), _absolute(base, parser.pages)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def _absolute(base: str, refs: list[str]) -> list[str]:
    out = []
    for ref in refs:
        ref = ref.strip()
        if not ref or ref.startswith(("data:", "javascript:", "mailto:", "#")):
            continue
        out.append(urllib.parse.urldefrag(urllib.parse.urljoin(base, ref))[0])
    return out
