"""Listing repositories through the GitHub REST API (github.com or an Enterprise Server).

``github:OWNER`` lists ``/orgs/OWNER/repos`` and, when OWNER is no organisation, the
user's ``/users/OWNER/repos`` (public ones only, as GitHub answers) — or, when OWNER is the
token's own user (``/user``), ``/user/repos?affiliation=owner``, private ones included;
``github:OWNER/REPO`` is ``/repos/OWNER/REPO``. 100 repositories a call, whatever the size
of the organisation.
"""

from __future__ import annotations

from typing import Any

from scanner.remote.api import ApiClient, ApiError, ApiProblem
from scanner.remote.repo import RemoteRepo
from scanner.remote.targets import Forge

_PER_PAGE = "100"


def _repo(item: Any) -> RemoteRepo:
    if not isinstance(item, dict) or not all(
        isinstance(item.get(k), str) for k in ("full_name", "clone_url")
    ):
        raise ApiError("GitHub API listed a repository without a name")
    return RemoteRepo(
        name=f"github:{item['full_name']}",
        clone_url=item["clone_url"],
        forge=Forge.GITHUB,
        fork=bool(item.get("fork")),
        archived=bool(item.get("archived")),
        default_branch=_text(item.get("default_branch")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def repositories(client: ApiClient, path: str, *, include_forks: bool) -> list[RemoteRepo]:
    """The repositories ``github:PATH`` names; an :class:`ApiError` says why there are none."""
    if "/" in path:
        try:
            return [_repo(client.get(f"/repos/{path}"))]
        except ApiError as exc:
            if exc.problem is ApiProblem.NOT_FOUND:
                raise ApiError(
                    "no such repository on GitHub, or the token cannot read it (HTTP 404)",
                    problem=ApiProblem.NOT_FOUND,
                    status=404,
                ) from exc
            raise
    found: list[RemoteRepo] = []
    try:
        pages = list(client.pages(f"/orgs/{path}/repos", {"per_page": _PER_PAGE, "type": "all"}))
    except ApiError as exc:
        if exc.problem is not ApiProblem.NOT_FOUND:
            raise
        try:
            pages = _user_pages(client, path)
        except ApiError as again:
            if again.problem is ApiProblem.NOT_FOUND:
                raise ApiError(
                    "no such organisation or user on GitHub (HTTP 404)",
                    problem=ApiProblem.NOT_FOUND,
                    status=404,
                ) from again
            raise
    for page in pages:
        found.extend(_repo(item) for item in page)
    return [r for r in found if include_forks or not r.fork]


def _user_pages(client: ApiClient, login: str) -> list[Any]:
    """A user's repositories: their own private ones too when the token is theirs."""
    if client.authenticated:
        me = client.get("/user")
        if isinstance(me, dict) and str(me.get("login", "")).lower() == login.lower():
            params = {"per_page": _PER_PAGE, "affiliation": "owner", "visibility": "all"}
            return list(client.pages("/user/repos", params))
    return list(client.pages(f"/users/{login}/repos", {"per_page": _PER_PAGE, "type": "owner"}))
