"""Which URLs a crawl may fetch: scheme, host allow-list, and no private addresses.

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

from plugins.errors import KeyguardError

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


@dataclass(frozen=True)
class Policy:
    origin_host: str
    allow_hosts: frozenset[str] = frozenset()
    allow_private: bool = False

    def hosts(self) -> frozenset[str]:
        return self.allow_hosts | {self.origin_host}


def host_of(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").lower()


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
    if host not in policy.hosts():
        raise Refused(
            f"host {host!r} is not the site's origin; add --allow-host {host} to fetch it"
        )
    try:
        # Checked before anything else lets the URL through: the HTTP client raises
        # something other than a transport error on it, which would end the crawl.
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused("URL with an invalid port") from None
    if policy.allow_private:
        return
    for address in _addresses(host, port):
        if not address.is_global:
            raise Refused(
                f"{host!r} resolves to the non-public address {address}; "
                "pass --allow-private to scan it"
            )
