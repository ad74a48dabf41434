"""Network failures as one-line reasons that never carry a key."""

from __future__ import annotations

import urllib.parse
import urllib.request

import httpx


def scrub(message: str, key: str) -> str:
    """One line, bounded, and certainly without the key."""
    line = (message.strip().splitlines() or [""])[0]
    if key:
        line = line.replace(key, "pk_…")
    return line[:300]


def describe_transport_error(exc: httpx.HTTPError, timeout: float) -> str:
    """A one-line reason for a network failure (httpx messages carry no headers, but be sure)."""
    text = str(exc)
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out after {timeout:g}s ({type(exc).__name__})"
    if isinstance(exc, httpx.ProxyError):
        return f"proxy error: {text}"
    lowered = text.lower()
    if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
        return f"TLS failure: {text}"
    if "name or service not known" in lowered or "nodename" in lowered or "getaddrinfo" in lowered:
        return f"DNS lookup failed: {text}"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect: {text}"
    return f"{type(exc).__name__}: {text}"


def environment_proxy(url: str) -> str | None:
    """``host:port`` of the proxy the environment sets for *url* (credentials left out)."""
    parts = urllib.parse.urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy:
        return None
    proxy_parts = urllib.parse.urlsplit(proxy if "://" in proxy else "http://" + proxy)
    port = f":{proxy_parts.port}" if proxy_parts.port else ""
    return f"{proxy_parts.hostname}{port}"
