"""Whether a mirror is already up to date, asked with one HTTP request and no git process.

A smart-HTTP server advertises every ref on ``GET …/info/refs?service=git-upload-pack``
(protocol v0's pkt-lines: ``<oid> <ref>``, the first carrying capabilities after a NUL,
``^{}`` lines for peeled tags). When the refs a mirror fetches are exactly the mirror's
own, ``git fetch`` would only spend a process on each side to learn that; for a fleet
where most repositories did not move since the last sweep that is most of the run. Any
doubt (an error, another protocol, an ssh URL) answers "ask git".
"""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl

from scanner.git.tips import read_refs

_TIMEOUT = 10.0
_MAX_ADVERTISEMENT = 64 << 20


def advertised(url: str, authorization: str | None) -> dict[str, str] | None:
    """The refs *url* advertises (name -> object id), or None when it cannot be told."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or _proxied(scheme):
        return None  # git knows the way (ssh, a proxy): let it fetch
    import http.client  # here: a local sweep never asks a server

    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=_TIMEOUT, context=_tls()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=_TIMEOUT)
    headers = {"User-Agent": "git/keyguard", "Accept": "*/*"}
    if authorization is not None:
        headers["Authorization"] = authorization
    path = parts.path.rstrip("/") + "/info/refs?service=git-upload-pack"
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        kind = response.getheader("content-type", "")
        if response.status != 200 or kind != "application/x-git-upload-pack-advertisement":
            return None
        body = response.read(_MAX_ADVERTISEMENT + 1)
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    return None if len(body) > _MAX_ADVERTISEMENT else _parse(body)


def _proxied(scheme: str) -> bool:
    names = (f"{scheme}_proxy", f"{scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY")
    return any(os.environ.get(name) for name in names)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA bundle (tens of ms)."""
    import ssl

    return ssl.create_default_context()


def _parse(body: bytes) -> dict[str, str] | None:
    refs: dict[str, str] = {}
    at = 0
    while at + 4 <= len(body):
        try:
            size = int(body[at : at + 4], 16)
        except ValueError:
            return None
        if size == 0:  # a flush packet: after the service line, and at the end
            at += 4
            continue
        if size < 4 or at + size > len(body):
            return None
        line = body[at + 4 : at + size].rstrip(b"\n").split(b"\0", 1)[0]
        at += size
        if line.startswith(b"#"):
            continue
        oid, _, name = line.decode("utf-8", "surrogateescape").partition(" ")
        if name and not name.endswith("^{}") and name != "capabilities^{}":
            refs[name] = oid
    return refs


def wanted(refs: Mapping[str, str], patterns: Iterable[str]) -> dict[str, str]:
    """The refs a mirror with these fetch *patterns* (``refs/heads/*``...) would hold."""
    globs = tuple(patterns)
    return {
        name: oid for name, oid in refs.items() if any(fnmatch.fnmatchcase(name, g) for g in globs)
    }


def local_refs(path: Path) -> dict[str, str] | None:
    """The mirror's refs (read in-process), or None when it has none to compare."""
    return read_refs(path)
