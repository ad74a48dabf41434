"""A saved crawl (WARC 1.0/1.1, plain or with per-record gzip): each response body once.

Records are read one at a time from a stream; bodies are de-chunked and decoded
(gzip, deflate, br) under the same caps as archives. A damaged record ends the file
with an issue; what came before is still scanned.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from plugins.errors import ErrorKind
from scanner.detect.archives import ArchiveLimits, Budget, Note, Refused
from scanner.detect.streams import gunzip, unbrotli
from scanner.findings import ScanIssue

_MAX_HEADER_LINES = 500


class _Stream(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Record:
    url: str
    data: bytes


def _headers(stream: _Stream) -> dict[str, str] | None:
    out: dict[str, str] = {}
    for _ in range(_MAX_HEADER_LINES):
        line = stream.readline(65536)
        if not line:
            return None
        line = line.rstrip(b"\r\n")
        if not line:
            return out
        name, _, value = line.decode("latin-1").partition(":")
        out[name.strip().lower()] = value.strip()
    raise ValueError("too many header lines")


def _dechunk(body: bytes) -> bytes:
    out, pos = bytearray(), 0
    while True:
        end = body.find(b"\r\n", pos)
        if end == -1:
            return bytes(out)
        size = int(body[pos:end].split(b";")[0].strip() or b"0", 16)
        if size == 0:
            return bytes(out)
        out += body[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2


def _http_body(block: bytes, limits: ArchiveLimits, notes: list[Note]) -> tuple[int, bytes]:
    head, sep, body = block.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = block.partition(b"\n\n")
    lines = head.decode("latin-1").splitlines()
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    encoding = headers.get("content-encoding", "").lower()
    budget = Budget(limits)
    if encoding in ("gzip", "x-gzip"):
        body = gunzip(body, budget, notes)
    elif encoding == "br":
        body = unbrotli(body, budget, notes)
    elif encoding == "deflate":
        inflate = zlib.decompressobj()
        body = inflate.decompress(body, limits.max_member_bytes)
        if inflate.unconsumed_tail:
            raise Refused(
                f"deflate body decompresses past {limits.max_member_bytes} bytes; not scanned",
                ErrorKind.MEMBER_TOO_LARGE,
            )
    return status, body


def read_warc(
    path: Path, limits: ArchiveLimits, issues: list[ScanIssue], warnings: list[ScanIssue]
) -> Iterator[Record]:
    """Response and resource records of the WARC at *path*, in file order. *issues* get
    what was left unread, *warnings* damaged bodies read as far as they go."""
    with open(path, "rb") as raw:
        magic = raw.read(2)
        raw.seek(0)
        stream: _Stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        try:
            yield from _records(stream, limits, issues, warnings, str(path))
        except (OSError, EOFError, ValueError, zlib.error) as exc:
            issues.append(
                ScanIssue(
                    str(path),
                    f"damaged WARC ({type(exc).__name__}); records after the damage not scanned",
                )
            )


def _records(
    stream: _Stream,
    limits: ArchiveLimits,
    issues: list[ScanIssue],
    warnings: list[ScanIssue],
    name: str,
) -> Iterator[Record]:
    while True:
        line = stream.readline(256)
        while line in (b"\r\n", b"\n"):
            line = stream.readline(256)
        if not line:
            return
        if not line.startswith(b"WARC/"):
            raise ValueError("not a WARC record")
        headers = _headers(stream)
        if headers is None:
            raise EOFError("truncated record header")
        length = int(headers.get("content-length", "0"))
        if length > limits.max_member_bytes:
            issues.append(
                ScanIssue(
                    headers.get("warc-target-uri", name),
                    f"WARC record larger than {limits.max_member_bytes} bytes; skipped",
                )
            )
            _skip(stream, length)
            continue
        block = stream.read(length)
        if len(block) < length:
            raise EOFError("truncated record")
        kind = headers.get("warc-type", "")
        url = headers.get("warc-target-uri", name).strip("<>")
        if kind == "resource":
            yield Record(url, block)
        elif kind == "response" and headers.get("content-type", "").startswith("application/http"):
            notes: list[Note] = []
            try:
                status, body = _http_body(block, limits, notes)
            except (ValueError, IndexError, Refused, zlib.error) as exc:
                limit = exc.kind if isinstance(exc, Refused) else None
                issues.append(ScanIssue(url, f"unreadable HTTP response in WARC ({exc})", limit))
                continue
            for n in notes:
                (issues if n.left_unread else warnings).append(
                    ScanIssue(url, n.message, n.kind, n.facts)
                )
            if status == 200:
                yield Record(url, body)


def _skip(stream: _Stream, length: int) -> None:
    while length > 0:
        piece = stream.read(min(length, 1 << 20))
        if not piece:
            raise EOFError("truncated record")
        length -= len(piece)
