"""``sourceMappingURL`` comments, ``data:`` URIs, and resolving a reference safely.

A reference is only ever resolved by a resolver the source hands in: the files source
reads inside the scanned tree, the site crawler fetches from allowed origins. A
reference to another host, a ``file:`` URL or an absolute local path is refused.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from plugins.errors import KeyguardError


@dataclass(frozen=True)
class MapSource:
    """A map's bytes and where it really came from (a ``SourceMap:`` header can move it)."""

    data: bytes
    location: str


#: A resolver turns a reference into the map's bytes (or a MapSource), None if it is
#: not there, or raises ReferenceRefused when it points somewhere the scan must not read.
Resolver = Callable[[str], "bytes | MapSource | None"]

_COMMENT = re.compile(rb"[#@] ?sourceMappingURL=([^\s'\"*]+)")
#: What may follow the comment: a closing ``*/`` and whitespace.
_TAIL = 64


class ReferenceRefused(KeyguardError):
    """A source map reference the scan will not follow (another host, a local path)."""


@dataclass(frozen=True)
class Reference:
    url: str
    start: int  # offset of the URL in the blob
    end: int


def find_reference(data: bytes) -> Reference | None:
    """The ``sourceMappingURL`` comment that ends a script or stylesheet, if any."""
    at = data.rfind(b"sourceMappingURL=")
    if at == -1:
        return None
    m = _COMMENT.match(data, max(0, at - 2)) or _COMMENT.match(data, max(0, at - 1))
    if m is None or m.start(1) != at + 17:
        return None
    # Only the trailing comment counts: a string elsewhere that mentions the word does not.
    tail = data[m.end(1) :]
    if len(tail) > _TAIL or tail.strip() not in (b"", b"*/"):
        return None
    return Reference(m.group(1).decode("latin-1"), m.start(1), m.end(1))


def decode_data_uri(url: str) -> bytes:
    """The payload of a ``data:`` URI (base64 or percent-encoded)."""
    head, sep, payload = url[5:].partition(",")
    if not sep:
        raise ReferenceRefused("data: URI without a comma; not a source map")
    if head.endswith(";base64"):
        try:
            return base64.b64decode(payload + "=" * (-len(payload) % 4), validate=False)
        except (binascii.Error, ValueError):
            raise ReferenceRefused("data: URI with invalid base64") from None
    return urllib.parse.unquote_to_bytes(payload)


def file_resolver(root: Path, file: Path, max_bytes: int) -> Resolver:
    """References relative to *file*, read only when they stay inside *root*."""
    top = root.resolve()

    def resolve(reference: str) -> bytes | None:
        parts = urllib.parse.urlsplit(reference)
        if parts.scheme or parts.netloc:
            where = parts.netloc or parts.scheme
            raise ReferenceRefused(
                f"sourceMappingURL points to {where!r}; not read (outside the scan)"
            )
        path = urllib.parse.unquote(parts.path)
        if not path or path.startswith("/") or Path(path).is_absolute():
            raise ReferenceRefused("sourceMappingURL is an absolute local path; not read")
        target = (file.parent / path).resolve()
        if not target.is_relative_to(top):
            raise ReferenceRefused("sourceMappingURL points outside the scanned tree; not read")
        try:
            if not target.is_file() or target.stat().st_size > max_bytes:
                return None
            return target.read_bytes()
        except OSError:
            return None

    return resolve
