"""What a sweep target names: a path on disk, a forge's owner or repository, or a clone URL.

``github:OWNER`` and ``github:OWNER/REPO``; ``gitlab:GROUP`` and ``gitlab:GROUP/...``
(a subgroup or a project: the API tells which); ``https://``, ``http://``, ``ssh://``,
``git://`` and ``file://`` URLs and scp-like ``user@host:path``. Anything else is a path.

Every remote repository is named by one *full name*: ``github:acme/shop``,
``gitlab:group/sub/project``, or ``host/path`` for a URL on another server. A URL on the
configured GitHub or GitLab server gets that forge's name, so ``https://github.com/acme/shop``
and ``github:acme/shop`` are one repository.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit, urlunsplit

from plugins.errors import UsageError


class Forge(str, Enum):
    GITHUB = "github"
    GITLAB = "gitlab"


#: Where each forge's pull-request heads live; swept unless asked not to.
PULL_REFS = {
    Forge.GITHUB: "refs/pull/*/head",
    Forge.GITLAB: "refs/merge-requests/*/head",
}

_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_GITHUB_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
_GITLAB_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_URL = re.compile(r"(?:https?|ssh|git|file)://", re.IGNORECASE)
_SCP = re.compile(r"(?P<user>[^@/:\s]+)@(?P<host>[^/:\s]+):(?P<path>[^\s]+)")


@dataclass(frozen=True)
class ForgeTarget:
    """``github:acme``, ``github:acme/shop`` or ``gitlab:group/sub``: resolved by the API."""

    forge: Forge
    path: str

    @property
    def name(self) -> str:
        return f"{self.forge.value}:{self.path}"


@dataclass(frozen=True)
class UrlTarget:
    """A repository named by its clone URL (which holds no credentials)."""

    url: str
    name: str
    forge: Forge | None  # the configured forge whose server this is, if any


@dataclass(frozen=True)
class RefusedTarget:
    """A target keyguard will not use as given; ``shown`` is the target with secrets cut."""

    shown: str
    reason: str  # "credentials-in-url"


@dataclass(frozen=True)
class Servers:
    """The web addresses of the configured forges (``https://github.com`` and the like)."""

    github: str = "https://github.com"
    gitlab: str = "https://gitlab.com"

    def forge_of(self, host: str) -> Forge | None:
        for forge, base in ((Forge.GITHUB, self.github), (Forge.GITLAB, self.gitlab)):
            if urlsplit(base).netloc.lower() == host.lower():
                return forge
        return None


RemoteTarget = ForgeTarget | UrlTarget | RefusedTarget


def is_remote(text: str) -> bool:
    """Whether *text* names a remote repository or owner rather than a path."""
    return (
        text.startswith(("github:", "gitlab:"))
        or bool(_URL.match(text))
        or bool(_SCP.fullmatch(text))
    )


def parse(text: str, servers: Servers) -> RemoteTarget:
    """The remote target *text* names (call only when :func:`is_remote` says it is one)."""
    if text.startswith("github:"):
        return _github(text[len("github:") :].strip("/"), text)
    if text.startswith("gitlab:"):
        return _gitlab(text[len("gitlab:") :].strip("/"), text)
    if _URL.match(text):
        return _url(text, servers)
    scp = _SCP.fullmatch(text)
    if scp is None:
        raise UsageError(f"{text!r} is not a repository address")
    host, path = scp["host"], scp["path"]
    return UrlTarget(text, _name(host, path, servers), servers.forge_of(host))


def _github(path: str, text: str) -> ForgeTarget:
    parts = path.split("/")
    if not (1 <= len(parts) <= 2 and _GITHUB_OWNER.fullmatch(parts[0])) or (
        len(parts) == 2 and not _GITHUB_REPO.fullmatch(parts[1])
    ):
        raise UsageError(f"{text!r}: expected github:OWNER or github:OWNER/REPO")
    return ForgeTarget(Forge.GITHUB, path.removesuffix(".git"))


def _gitlab(path: str, text: str) -> ForgeTarget:
    parts = path.split("/")
    if not all(_GITLAB_SEGMENT.fullmatch(p) for p in parts):
        raise UsageError(
            f"{text!r}: expected gitlab:GROUP, gitlab:GROUP/SUBGROUP or gitlab:GROUP/PROJECT"
        )
    return ForgeTarget(Forge.GITLAB, path.removesuffix(".git"))


def _url(text: str, servers: Servers) -> RemoteTarget:
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"{without_credentials(text)!r} is not a valid URL: {exc}") from exc
    scheme = parts.scheme.lower()
    # A password, or an http(s) user name (a token pasted as the user, as GitHub allows),
    # would be stored in the mirror's config and echoed by git's errors.
    if parts.password is not None or (scheme in ("http", "https") and parts.username):
        return RefusedTarget(without_credentials(text), "credentials-in-url")
    if scheme == "file":
        return UrlTarget(text, "file:" + parts.path.rstrip("/"), None)
    if not host or not parts.path.strip("/"):
        raise UsageError(f"{text!r}: a clone URL needs a host and a path")
    netloc = host if port is None else f"{host}:{port}"
    return UrlTarget(
        urlunsplit(parts), _name(netloc, parts.path, servers), servers.forge_of(netloc)
    )


def _name(netloc: str, path: str, servers: Servers) -> str:
    clean = path.strip("/").removesuffix(".git").strip("/")
    forge = servers.forge_of(netloc)
    if forge is not None:
        return f"{forge.value}:{clean}"
    return f"{netloc.lower()}/{clean}"


_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")


def without_credentials(text: str) -> str:
    """*text* with the user information of every URL in it cut (``https://***@host``)."""
    return _USERINFO.sub(lambda m: m["scheme"] + "***@", text)
