"""Where each forge's API is and which token it takes, found the way their own CI does it.

GitHub: ``GITHUB_API_URL`` (set by GitHub Actions; a GitHub Enterprise Server's is
``https://HOST/api/v3``), ``GITHUB_SERVER_URL`` for its web and git host, and the token in
``GITHUB_TOKEN`` or ``GH_TOKEN``. GitLab: ``CI_API_V4_URL`` (set by GitLab CI) or
``GITLAB_URL`` + ``/api/v4``, ``CI_SERVER_URL`` or ``GITLAB_URL`` for its web host, and the
token in ``GITLAB_TOKEN``. The environment is passed in, never read here.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field

from scanner.remote.targets import Forge, Servers

_GITHUB_API = "https://api.github.com"
_GITHUB_WEB = "https://github.com"
_GITLAB_WEB = "https://gitlab.com"
#: The user name each forge's git server expects beside a token in basic auth.
_GIT_USER = {Forge.GITHUB: "x-access-token", Forge.GITLAB: "oauth2"}


@dataclass(frozen=True)
class Token:
    """A forge token and the variable it came from. Never in a repr, a log or a file."""

    variable: str
    value: str = field(repr=False)

    def basic_auth(self, forge: Forge) -> str:
        """The ``Authorization`` header value the forge's git server accepts."""
        pair = f"{_GIT_USER[forge]}:{self.value}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass(frozen=True)
class Endpoint:
    forge: Forge
    api_url: str  # without a trailing slash
    web_url: str
    token: Token | None
    token_variables: tuple[str, ...]  # where a token is looked for, for messages
    api_variable: str = "GITHUB_API_URL"  # where the API's address comes from, for messages


@dataclass(frozen=True)
class Endpoints:
    github: Endpoint
    gitlab: Endpoint

    def of(self, forge: Forge) -> Endpoint:
        return self.github if forge is Forge.GITHUB else self.gitlab

    @property
    def servers(self) -> Servers:
        return Servers(github=self.github.web_url, gitlab=self.gitlab.web_url)


def _token(environ: Mapping[str, str], names: tuple[str, ...]) -> Token | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return Token(name, value)
    return None


def _strip(url: str) -> str:
    return url.strip().rstrip("/")


def from_environment(environ: Mapping[str, str]) -> Endpoints:
    github_names = ("GITHUB_TOKEN", "GH_TOKEN")
    gitlab_names = ("GITLAB_TOKEN",)
    gitlab_url = _strip(environ.get("GITLAB_URL", ""))
    gitlab_api = _strip(environ.get("CI_API_V4_URL", "")) or (
        f"{gitlab_url}/api/v4" if gitlab_url else f"{_GITLAB_WEB}/api/v4"
    )
    gitlab_web = _strip(environ.get("CI_SERVER_URL", "")) or gitlab_url or _GITLAB_WEB
    return Endpoints(
        github=Endpoint(
            Forge.GITHUB,
            _strip(environ.get("GITHUB_API_URL", "")) or _GITHUB_API,
            _strip(environ.get("GITHUB_SERVER_URL", "")) or _GITHUB_WEB,
            _token(environ, github_names),
            github_names,
        ),
        gitlab=Endpoint(
            Forge.GITLAB,
            gitlab_api,
            gitlab_web,
            _token(environ, gitlab_names),
            gitlab_names,
            "CI_API_V4_URL or GITLAB_URL",
        ),
    )
