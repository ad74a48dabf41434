"""Which URLs a crawl may fetch: the start URL's origin (scheme, host and port) and the
allowed extra hosts, never a downgrade from https to http, and no private addresses.

Loopback, private, link-local and other non-global addresses are refused unless the
user allows them (tests and intranet scans), so a page cannot steer the crawler at a
cloud metadata endpoint or a service on the scanning machine. Every redirect hop is
checked again. Names are resolved here and again by the HTTP client: a DNS answer that
changes in between (rebinding) is outside what this check can see.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from dataclasses import dataclass

from plugins.errors import ErrorKind, KeyguardError

MiB = 1 << 20


@dataclass(frozen=True)
class CrawlLimits:
    """Bounds on one crawl (kept here, away from httpx, so the CLI imports them cheaply)."""

    max_pages: int = 25
    max_assets: int = 500
    max_total_bytes: int = 512 * MiB
    max_response_bytes: int = 64 * MiB
    timeout: float = 20.0  # seconds for one response, headers to last byte
    max_seconds: float = 600.0
    max_redirects: int = 5


class Refused(KeyguardError):
    """A URL the crawl will not fetch; the message says why."""


_DEFAULT_PORTS = {"http": 80, "https": 443}

#: (scheme, host, port): what a browser calls an origin.
Origin = tuple[str, str, int]


@dataclass(frozen=True)
class Policy:
    """Fetch only from *origin* (the start URL's) and from *allow_hosts*: ``host`` (its
    default port) or ``host:port`` entries, over https, or over http when the crawl
    started on http. A page on one port never steers the crawl to another service of
    the same host, and an https site never to plain http."""

    origin: Origin
    allow_hosts: frozenset[str] = frozenset()
    allow_private: bool = False

    def allows(self, origin: Origin) -> bool:
        if origin == self.origin:
            return True
        scheme, host, port = origin
        if scheme != "https" and self.origin[0] == "https":
            return False
        named = f"[{host}]" if ":" in host else host
        if f"{named}:{port}" in self.allow_hosts:
            return True
        return host in self.allow_hosts and port == _DEFAULT_PORTS[scheme]


def origin_of(url: str) -> Origin:
    """The URL's origin; ValueError when its port is malformed."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme, 0)


def same_origin(a: str, b: str) -> bool:
    x, y = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    try:
        return (x.scheme, x.hostname, x.port) == (y.scheme, y.hostname, y.port)
    except ValueError:  # a malformed port (``host:1:2``) is no origin of ours
        return False


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Refused(f"cannot resolve {host!r} ({exc.strerror or exc}); check the URL") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check(url: str, policy: Policy) -> None:
    """Raise Refused unless *url* may be fetched under *policy*."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused(f"not an http(s) URL: {parts.scheme or 'no scheme'}")
    host = (parts.hostname or "").lower()
    if not host:
        raise Refused("URL without a host")
    try:
        # Checked before anything else lets the URL through: the HTTP client raises
        # something other than a transport error on it, which would end the crawl.
        origin = origin_of(url)
    except ValueError:
        raise Refused("URL with an invalid port") from None
    port = origin[2]
    if not policy.allows(origin):
        if host in {h.rsplit(":", 1)[0] for h in policy.allow_hosts} | {policy.origin[1]}:
            raise Refused(
                f"{origin[0]}://{host}:{port} is not the site's origin (scheme, host and "
                f"port); allow {host}:{port} explicitly to fetch it"
            )
        raise Refused(
            f"host {host!r} is not the site's origin", kind=ErrorKind.HOST_NOT_ALLOWED, host=host
        )
    if policy.allow_private:
        return
    for address in _addresses(host, port):
        if not address.is_global:
            raise Refused(
                f"{host!r} resolves to the non-public address {address}",
                kind=ErrorKind.PRIVATE_ADDRESS,
            )
