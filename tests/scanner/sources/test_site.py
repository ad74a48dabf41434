"""Crawling a real local site: what a browser loads, with policy, bounds and bad servers."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from keyguard import error_wording
from scanner.findings import ScanResult, SourceLocation
from scanner.sitescan import scan_site
from scanner.sources.netpolicy import CrawlLimits
from tests.support.bundles import map_bytes, minify
from tests.support.keys import make_key
from tests.support.site import Route, Site, brotli_bomb, serve

K_BUNDLE, K_INLINE, K_ABOUT, K_LAZY, K_CDN, K_IMPORT = (
    make_key(f"site-{n}") for n in ("bundle", "inline", "about", "lazy", "cdn", "import")
)
K_PRIVATE = make_key("site-private")
JS = "application/javascript"


def _routes() -> dict[str, Route]:
    built = minify({"../src/config.js": f'export const c = {{\n  key: "{K_BUNDLE}",\n}};\n'})
    inline = "".join(f"&#x{ord(c):x};" for c in K_INLINE)
    index = f"""<!doctype html><html><head>
<script type="importmap">{{"imports": {{"cfg": "/assets/cfg.js"}}}}</script>
<link rel="modulepreload" href="/assets/vendor.js">
<script type="module" src="/assets/index-abc.js"></script>
<script src="http://localhost:{{port}}/cdn.js"></script>
</head><body data-k="{inline}">
<a href="/about">about</a> <a href="/private/admin">admin</a> <a href="https://elsewhere.example/">x</a>
</body></html>"""
    return {
        "/": Route(index.encode()),
        "/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
        "/about": Route(b'<script src="/assets/about.js"></script>'),
        "/private/admin": Route(f"<p>{K_PRIVATE}</p>".encode()),
        "/assets/index-abc.js": Route(
            (built.bundle + "\n//# sourceMappingURL=index-abc.js.map\n").encode(), content_type=JS
        ),
        "/assets/index-abc.js.map": Route(map_bytes(built.map), content_type="application/json"),
        "/assets/vendor.js": Route(b"export const v=1;", content_type=JS),
        "/assets/cfg.js": Route(f'export default "{K_IMPORT}";'.encode(), content_type=JS),
        "/assets/about.js": Route(
            f'var a=atob("{base64.b64encode(K_ABOUT.encode()).decode()}")'.encode(), content_type=JS
        ),
        "/.vite/manifest.json": Route(
            json.dumps({"src/lazy.ts": {"file": "assets/lazy.js"}}).encode(),
            content_type="application/json",
        ),
        "/assets/lazy.js": Route(f'x("{K_LAZY[:3]}"+"{K_LAZY[3:]}")'.encode(), content_type=JS),
        "/cdn.js": Route(f'var c="{K_CDN}";'.encode(), content_type=JS),
    }


@pytest.fixture
def site() -> Iterator[Site]:
    routes = _routes()
    with serve(routes) as running:
        index = routes["/"].body.replace(b"{port}", str(running.port).encode())
        routes["/"] = Route(index)
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(follow_redirects=False, trust_env=False) as c:
        yield c


def _by_key(result: ScanResult) -> dict[str, list[tuple[str, str, SourceLocation | None]]]:
    return {
        f.secret.reveal(): [(o.path, o.encoding, o.original) for o in f.occurrences]
        for f in result.findings
    }


def test_crawls_what_a_browser_loads(site: Site, client: httpx.Client) -> None:
    result = scan_site(site.base + "/", client=client, allow_private=True)
    found = _by_key(result)
    base = site.base
    assert found[K_BUNDLE] == [
        (f"{base}/assets/index-abc.js", "plain", SourceLocation(f"{base}/src/config.js", 2, 9)),
        (f"{base}/assets/index-abc.js.map", "plain", SourceLocation(f"{base}/src/config.js", 2, 9)),
    ]
    assert found[K_INLINE] == [(f"{base}/", "html-entity", None)]
    assert found[K_ABOUT] == [(f"{base}/assets/about.js", "atob", None)]
    assert found[K_LAZY] == [(f"{base}/assets/lazy.js", "concat", None)]
    assert found[K_IMPORT] == [(f"{base}/assets/cfg.js", "plain", None)]
    assert K_CDN not in found  # another host name, not allowed
    assert K_PRIVATE not in found
    assert "/private/admin" not in site.requested  # robots.txt honoured for pages
    assert site.requested.count("/assets/index-abc.js.map") == 1
    messages = [error_wording.note(e) for e in result.errors]
    assert any("add --allow-host localhost" in m for m in messages)
    assert not any(
        "elsewhere.example" in e.path for e in result.errors
    )  # links to other sites are not followed


def test_allow_host_adds_a_cdn(site: Site, client: httpx.Client) -> None:
    # Per origin: the CDN's host on this port; the bare host name would mean port 80.
    bare = scan_site(
        site.base + "/", client=client, allow_private=True, allow_hosts=frozenset({"localhost"})
    )
    assert K_CDN not in _by_key(bare)
    result = scan_site(
        site.base + "/",
        client=client,
        allow_private=True,
        allow_hosts=frozenset({f"localhost:{site.port}"}),
    )
    assert _by_key(result)[K_CDN] == [(f"http://localhost:{site.port}/cdn.js", "plain", None)]


def test_private_addresses_refused_by_default(site: Site, client: httpx.Client) -> None:
    result = scan_site(site.base + "/", client=client)
    assert result.findings == ()
    assert site.requested == []
    (error,) = result.errors
    assert "pass --allow-private" in error_wording.note(error)


def test_bad_servers(client: httpx.Client) -> None:
    key = make_key("site-bad")
    routes = {
        "/": Route(
            b'<script src="/slow.js"></script><script src="/loop.js"></script>'
            b'<script src="/huge.js"></script><script src="/spa.js"></script>'
            b'<script src="/gone.js"></script><script src="/away.js"></script>'
        ),
        "/slow.js": Route(b"/" * 20 * 1024, content_type=JS, chunk_delay=0.05),
        "/loop.js": Route(status=302, headers={"location": "/loop2.js"}),
        "/loop2.js": Route(status=302, headers={"location": "/loop.js"}),
        "/huge.js": Route(
            f'var k="{key}";'.encode() + b" " * (3 << 20), content_type=JS, repeat=16
        ),
        "/spa.js": Route(b"<!doctype html><html>" + key.encode()),
        "/away.js": Route(status=301, headers={"location": "http://localhost:{port}/x.js"}),
    }
    with serve(routes) as running:
        limits = CrawlLimits(timeout=0.3, max_response_bytes=2 << 20)
        result = scan_site(running.base + "/", client=client, allow_private=True, limits=limits)
    [finding] = result.findings
    assert [o.path for o in finding.occurrences] == [running.base + "/huge.js"]
    messages = {e.path.rsplit("/", 1)[-1]: error_wording.note(e) for e in result.errors}
    assert "still arriving" in messages["slow.js"]
    assert messages["loop.js"] == "redirect loop; not fetched"
    assert messages["huge.js"].startswith("response larger than 2097152 bytes")
    assert messages["spa.js"] == "served HTML where a script was expected; not scanned"
    assert messages["gone.js"] == "HTTP 404; not scanned"
    assert "allow-host localhost" in messages["x.js"]  # the redirect hop was checked again


def test_crawl_bounds(site: Site, client: httpx.Client) -> None:
    result = scan_site(
        site.base + "/",
        client=client,
        allow_private=True,
        limits=CrawlLimits(max_assets=2, max_pages=1),
    )
    assert "/about" not in site.requested
    assert sum("more than 2 assets" in e.message for e in result.errors) >= 3


def test_sourcemap_header_and_next_build_manifest(client: httpx.Client) -> None:
    key = make_key("site-next")
    built = minify({"pages/index.js": f'const k = "{key}";\n'})
    next_data = json.dumps({"buildId": "b1d", "page": "/"})
    routes = {
        "/": Route(
            f'<script id="__NEXT_DATA__" type="application/json">{next_data}</script>'.encode()
        ),
        "/_next/static/b1d/_buildManifest.js": Route(
            b'self.__BUILD_MANIFEST={"/":["static/chunks/pages/index.js"]};', content_type=JS
        ),
        "/_next/static/chunks/pages/index.js": Route(
            built.bundle.encode(), content_type=JS, headers={"SourceMap": "/maps/index.js.map"}
        ),
        "/maps/index.js.map": Route(map_bytes(built.map), content_type="application/json"),
    }
    with serve(routes) as running:
        result = scan_site(running.base + "/", client=client, allow_private=True)
    assert "/_next/static/b1d/_buildManifest.js" in running.requested
    # The manifest names chunks relative to /_next/; the header names the map.
    [finding] = result.findings
    original = SourceLocation(running.base + "/maps/pages/index.js", 1, 12)
    assert [(o.path.removeprefix(running.base), o.original) for o in finding.occurrences] == [
        ("/_next/static/chunks/pages/index.js", original),
        ("/maps/index.js.map", original),
    ]


def test_lazy_chunks_a_module_imports(client: httpx.Client) -> None:
    k1, k2 = make_key("site-lazy-1"), make_key("site-lazy-2")
    entry = (
        b'const __vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["assets/Settings-9f.js",'
        b'"assets/Settings-9f.css"])))=>i.map(i=>d[i]);'
        b'const r=()=>import("./Cart-1a.js");const g=()=>import("./gone-00.js");'
    )
    routes = {
        "/": Route(b'<script type="module" src="/assets/index-2b.js"></script>'),
        "/assets/index-2b.js": Route(entry, content_type=JS),
        "/assets/Cart-1a.js": Route(f'export const k="{k1}";'.encode(), content_type=JS),
        "/assets/Settings-9f.js": Route(f'export const k="{k2}";'.encode(), content_type=JS),
    }
    with serve(routes) as running:
        result = scan_site(running.base + "/", client=client, allow_private=True)
    found = {f.secret.reveal(): f.occurrences[0].path for f in result.findings}
    assert found == {
        k1: running.base + "/assets/Cart-1a.js",
        k2: running.base + "/assets/Settings-9f.js",
    }
    assert result.errors == ()  # a chunk name that 404s is not worth a note


def test_whole_crawl_deadline(client: httpx.Client) -> None:
    routes = {
        "/": Route(b'<script src="/a.js"></script><script src="/b.js"></script>'),
        "/a.js": Route(b"/" * 8 * 1024, content_type=JS, chunk_delay=0.1),
        "/b.js": Route(b"var b;", content_type=JS),
    }
    with serve(routes) as running:
        limits = CrawlLimits(max_seconds=0.5, timeout=5)
        result = scan_site(running.base + "/", client=client, allow_private=True, limits=limits)
    assert "/b.js" not in running.requested
    assert any("--max-seconds" in error_wording.note(e) for e in result.errors)


def test_content_encodings_decoded_within_the_cap(client: httpx.Client) -> None:
    import zlib

    import brotli

    keys = {n: make_key(f"site-enc-{n}") for n in ("gz", "zl", "raw", "br", "two", "plain")}
    js = {n: f'var k="{k}";'.encode() for n, k in keys.items()}
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)

    def gz(body: bytes) -> bytes:
        packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return packer.compress(body) + packer.flush()

    def enc(body: bytes, coding: str) -> Route:
        return Route(body, content_type=JS, headers={"content-encoding": coding})

    routes = {
        "/": Route(
            "".join(
                f'<script src="/{n}.js"></script>' for n in [*keys, "bomb", "bad", "zs"]
            ).encode()
        ),
        "/gz.js": enc(gz(js["gz"]), "gzip"),
        "/zl.js": enc(zlib.compress(js["zl"]), "deflate"),
        "/raw.js": enc(raw.compress(js["raw"]) + raw.flush(), "deflate"),
        "/br.js": enc(brotli.compress(js["br"]), "br"),
        "/two.js": enc(brotli.compress(gz(js["two"])), "gzip, br"),
        "/plain.js": enc(js["plain"], "identity"),
        "/bomb.js": enc(brotli_bomb(1 << 30), "br"),
        "/bad.js": enc(b"not brotli at all", "br"),
        "/zs.js": enc(b"(\xb5/\xfd", "zstd"),
    }
    with serve(routes) as running:
        limits = CrawlLimits(max_response_bytes=1 << 20)
        result = scan_site(running.base + "/", client=client, allow_private=True, limits=limits)
    found = _by_key(result)
    assert set(found) == set(keys.values())
    for name, key in keys.items():
        assert [path for path, _, _ in found[key]] == [f"{running.base}/{name}.js"]
    messages = {e.path.rsplit("/", 1)[-1]: error_wording.note(e) for e in result.errors}
    assert messages.keys() == {"bomb.js", "bad.js", "zs.js"}, messages
    assert messages["bomb.js"] == "response larger than 1048576 bytes; scanned the first 1048576"
    assert messages["bad.js"].startswith("not valid br (")
    assert messages["zs.js"] == "Content-Encoding 'zstd' not supported; not scanned"
