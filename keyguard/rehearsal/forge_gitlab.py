"""The GitLab REST API (v4) stand-in: a group's projects (with subgroups) and one project."""

from __future__ import annotations

import zlib
from typing import Any
from urllib.parse import unquote

from keyguard.rehearsal.forge import Answer, ForgeStandin, Request
from keyguard.rehearsal.forge_model import Decision, StandinRepo

_PREFIX = "/api/v4/"


class GitLabStandin(ForgeStandin):
    """``with GitLabStandin(git.url, token=t) as api:``; ``CI_API_V4_URL=api.api_url``."""

    header_prefix = "RateLimit-"
    limited_status = 429

    @property
    def api_url(self) -> str:
        return self.url + "/api/v4"

    def add_group(self, path: str) -> None:
        parts = path.split("/")
        for end in range(1, len(parts) + 1):
            self.forge.groups.add("/".join(parts[:end]))

    def add_user(self, username: str) -> None:
        """A user namespace: its projects are listed at ``/users/USERNAME/projects``."""
        self.forge.owners[username] = "User"

    def add_repo(self, path: str, *, default_branch: str = "main", **flags: bool) -> StandinRepo:
        if self.forge.owners.get(path.rpartition("/")[0]) != "User":
            self.add_group(path.rpartition("/")[0])
        return super().add_repo(path, default_branch=default_branch, **flags)

    def given_token(self, headers: Any) -> str | None:
        private = headers.get("private-token")
        return str(private.strip()) if private else super().given_token(headers)

    def route(self, request: Request) -> Answer:
        if not request.path.startswith(_PREFIX):
            return Answer(404, {"error": "404 Not Found"})
        # The id is one URL-encoded segment (``group%2Fsub``): split before decoding.
        parts = [unquote(p) for p in request.path[len(_PREFIX) :].strip("/").split("/")]
        if len(parts) == 3 and parts[0] == "groups" and parts[2] == "projects":
            if parts[1] not in self.forge.groups:
                return Answer(404, {"message": "404 Group Not Found"})
            nested = request.query.get("include_subgroups") == "true"
            repos = self.forge.listed(parts[1], nested=nested, authorized=request.authorized)
            return self.paged(request, [self._json(r) for r in repos], _pages)
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "projects":
            if self.forge.owners.get(parts[1]) != "User":
                return Answer(404, {"message": "404 User Not Found"})
            repos = self.forge.listed(parts[1], nested=False, authorized=request.authorized)
            return self.paged(request, [self._json(r) for r in repos], _pages)
        if len(parts) == 2 and parts[0] == "projects":
            found = self.forge.find(parts[1], authorized=request.authorized)
            return (
                Answer(200, self._json(found))
                if found
                else Answer(404, {"message": "404 Project Not Found"})
            )
        return Answer(404, {"error": "404 Not Found"})

    def unauthorized(self) -> Answer:
        return Answer(401, {"message": "401 Unauthorized"})

    def limited(self, decision: Decision) -> Answer:
        wait = decision.retry_after if decision.retry_after is not None else 1
        return Answer(429, {"message": "Retry later"}, {"Retry-After": str(wait)})

    def rate_headers(self, decision: Decision) -> dict[str, str]:
        headers = super().rate_headers(decision)
        headers["RateLimit-Observed"] = str(decision.limit - decision.remaining)
        return headers

    def _json(self, repo: StandinRepo) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": zlib.crc32(repo.path.encode()),
            "name": repo.name,
            "path": repo.name,
            "path_with_namespace": repo.path,
            "namespace": {"full_path": repo.namespace},
            "archived": repo.archived,
            "visibility": "private" if repo.private else "public",
            "http_url_to_repo": self.clone_url(repo.path),
            "ssh_url_to_repo": f"git@127.0.0.1:{repo.path}.git",
            "web_url": f"{self.git_url}/{repo.path}",
            "default_branch": repo.default_branch,
        }
        if repo.fork:
            out["forked_from_project"] = {"id": 1, "path_with_namespace": "upstream/" + repo.name}
        return out


def _pages(page: int, pages: int, total: int) -> dict[str, str]:
    return {
        "X-Page": str(page),
        "X-Total": str(total),
        "X-Total-Pages": str(pages),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
