"""The GitHub REST API stand-in: organisations', users' and single repositories' endpoints.

As on GitHub, ``/users/LOGIN/repos`` lists public repositories only, even to their owner;
the token's own user (``token_login``) sees its private ones at ``/user/repos``.
"""

from __future__ import annotations

import zlib
from typing import Any
from urllib.parse import unquote

from keyguard.rehearsal.forge import Answer, ForgeStandin, Request
from keyguard.rehearsal.forge_model import Decision, StandinRepo

_DOCS = "https://docs.github.com/rest"


def _not_found() -> Answer:
    return Answer(404, {"message": "Not Found", "documentation_url": _DOCS, "status": "404"})


class GitHubStandin(ForgeStandin):
    """``with GitHubStandin(git.url, token=t) as api:``; ``GITHUB_API_URL=api.url``."""

    #: The login of the user the good token belongs to (``GET /user``).
    token_login = "keyguard-bot"  # noqa: S105 (a login, not a secret)

    def add_owner(self, login: str, kind: str = "Organization") -> None:
        self.forge.owners[login] = kind

    def add_repo(self, path: str, *, default_branch: str = "main", **flags: bool) -> StandinRepo:
        self.forge.owners.setdefault(path.partition("/")[0], "Organization")
        return super().add_repo(path, default_branch=default_branch, **flags)

    def route(self, request: Request) -> Answer:
        parts = [unquote(p) for p in request.path.strip("/").split("/")]
        if len(parts) == 3 and parts[0] in ("orgs", "users") and parts[2] == "repos":
            wanted = "Organization" if parts[0] == "orgs" else "User"
            if self.forge.owners.get(parts[1]) != wanted:
                return _not_found()
            repos = self.forge.listed(
                parts[1], nested=False, authorized=request.authorized and wanted != "User"
            )
            return self.paged(request, [self._json(r) for r in repos], lambda *_: {})
        if parts[0] == "user" and not request.authorized:
            return Answer(401, {"message": "Requires authentication", "documentation_url": _DOCS})
        if parts == ["user"]:
            return Answer(200, {"login": self.token_login, "type": "User"})
        if parts == ["user", "repos"]:
            repos = self.forge.listed(self.token_login, nested=False, authorized=True)
            return self.paged(request, [self._json(r) for r in repos], lambda *_: {})
        if len(parts) == 3 and parts[0] == "repos":
            found = self.forge.find(f"{parts[1]}/{parts[2]}", authorized=request.authorized)
            return Answer(200, self._json(found)) if found else _not_found()
        return _not_found()

    def unauthorized(self) -> Answer:
        return Answer(
            401, {"message": "Bad credentials", "documentation_url": _DOCS, "status": "401"}
        )

    def limited(self, decision: Decision) -> Answer:
        if decision.retry_after is not None:
            message = "You have exceeded a secondary rate limit. Please wait a few minutes."
            return Answer(
                403,
                {"message": message, "documentation_url": _DOCS, "status": "403"},
                {"retry-after": str(decision.retry_after)},
            )
        message = "API rate limit exceeded for user ID 1."
        return Answer(403, {"message": message, "documentation_url": _DOCS, "status": "403"})

    def rate_headers(self, decision: Decision) -> dict[str, str]:
        headers = super().rate_headers(decision)
        headers["x-ratelimit-used"] = str(decision.limit - decision.remaining)
        headers["x-ratelimit-resource"] = "core"
        return headers

    def _json(self, repo: StandinRepo) -> dict[str, Any]:
        owner = repo.namespace
        return {
            "id": zlib.crc32(repo.path.encode()),
            "name": repo.name,
            "full_name": repo.path,
            "owner": {"login": owner, "type": self.forge.owners.get(owner, "Organization")},
            "private": repo.private,
            "fork": repo.fork,
            "archived": repo.archived,
            "html_url": f"{self.git_url}/{repo.path}",
            "clone_url": self.clone_url(repo.path),
            "ssh_url": f"git@127.0.0.1:{repo.path}.git",
            "default_branch": repo.default_branch,
            "visibility": "private" if repo.private else "public",
        }
