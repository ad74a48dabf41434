"""Saved crawls: WARC records with chunked and compressed bodies, and damaged files."""

from __future__ import annotations

import gzip
from pathlib import Path

from scanner.sitescan import scan_warc
from tests.support.keys import make_key

K1, K2, K3 = make_key("warc-1"), make_key("warc-2"), make_key("warc-3")


def _record(kind: str, url: str, block: bytes, ctype: str) -> bytes:
    head = (
        f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {url}\r\n"
        f"Content-Type: {ctype}\r\nContent-Length: {len(block)}\r\n\r\n"
    ).encode()
    return head + block + b"\r\n\r\n"


def _response(body: bytes, *headers: str, status: int = 200) -> bytes:
    lines = [f"HTTP/1.1 {status} OK", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _chunked(data: bytes) -> bytes:
    parts = [data[i : i + 7] for i in range(0, len(data), 7)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _warc() -> bytes:
    http = "application/http; msgtype=response"
    return b"".join(
        [
            _record("warcinfo", "", b"software: test\r\n", "application/warc-fields"),
            _record(
                "response",
                "https://shop.example/app.js",
                _response(
                    _chunked(gzip.compress(f'var k="{K1}";'.encode())),
                    "Transfer-Encoding: chunked",
                    "Content-Encoding: gzip",
                ),
                http,
            ),
            _record(
                "response",
                "https://shop.example/missing.js",
                _response(f'"{K3}"'.encode(), status=404),
                http,
            ),
            _record(
                "resource",
                "https://shop.example/cfg.json",
                f'{{"k": "{K2}"}}'.encode(),
                "application/json",
            ),
        ]
    )


def test_responses_and_resources_scanned_under_their_urls(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    path.write_bytes(_warc())
    result = scan_warc(path)
    found = {f.secret.reveal(): [o.path for o in f.occurrences] for f in result.findings}
    assert found == {K1: ["https://shop.example/app.js"], K2: ["https://shop.example/cfg.json"]}
    assert result.errors == ()


def test_per_record_gzip_warc(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    data = _warc()
    records = data.split(b"WARC/1.1")[1:]
    path.write_bytes(b"".join(gzip.compress(b"WARC/1.1" + r) for r in records))
    assert len(scan_warc(path).findings) == 2


def test_truncated_warc_keeps_what_came_before(tmp_path: Path) -> None:
    path = tmp_path / "cut.warc"
    data = _warc()
    path.write_bytes(data[: data.index(b"cfg.json") + 60])
    result = scan_warc(path)
    assert [f.secret.reveal() for f in result.findings] == [K1]
    assert "damaged WARC (EOFError)" in result.errors[0].message


def test_not_a_warc(tmp_path: Path) -> None:
    path = tmp_path / "x.warc"
    path.write_bytes(b"\x00\x01garbage")
    result = scan_warc(path)
    assert result.findings == ()
    assert "damaged WARC (ValueError)" in result.errors[0].message
