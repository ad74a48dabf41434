"""Listing projects through the GitLab REST API (v4), subgroups included.

``gitlab:PATH`` is first asked for as a project (``/projects/PATH``), then as a group whose
projects and its subgroups' are listed (``/groups/PATH/projects?include_subgroups=true``),
then as a user namespace (``/users/PATH/projects``), 100 a call. Archived projects are
listed too (GitLab's default); projects merely shared with the group are not: they
belong to another group.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from scanner.remote.api import ApiClient, ApiError, ApiProblem
from scanner.remote.repo import RemoteRepo
from scanner.remote.targets import Forge

_PER_PAGE = "100"
#: Every listing: 100 a page, in a stable order.
_ORDER = {"per_page": _PER_PAGE, "order_by": "id", "sort": "asc"}


def _project(item: Any) -> RemoteRepo:
    if not isinstance(item, dict) or not all(
        isinstance(item.get(k), str) for k in ("path_with_namespace", "http_url_to_repo")
    ):
        raise ApiError("GitLab API listed a project without a path")
    return RemoteRepo(
        name=f"gitlab:{item['path_with_namespace']}",
        clone_url=item["http_url_to_repo"],
        forge=Forge.GITLAB,
        fork=item.get("forked_from_project") is not None,
        archived=bool(item.get("archived")),
        default_branch=_text(item.get("default_branch")),
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def repositories(client: ApiClient, path: str, *, include_forks: bool) -> list[RemoteRepo]:
    """The projects ``gitlab:PATH`` names; an :class:`ApiError` says why there are none."""
    encoded = quote(path, safe="")
    if "/" in path:
        try:
            return [_project(client.get(f"/projects/{encoded}"))]
        except ApiError as exc:
            if exc.problem is not ApiProblem.NOT_FOUND:
                raise
    found = _listed(
        client,
        f"/groups/{encoded}/projects",
        {**_ORDER, "include_subgroups": "true", "with_shared": "false"},
    )
    if found is None and "/" not in path:
        found = _listed(client, f"/users/{encoded}/projects", _ORDER)
    if found is None:
        raise ApiError(
            "no such group, user or project on GitLab, or the token cannot read it (HTTP 404)",
            problem=ApiProblem.NOT_FOUND,
            status=404,
        )
    return [r for r in found if include_forks or not r.fork]


def _listed(client: ApiClient, path: str, params: dict[str, str]) -> list[RemoteRepo] | None:
    """Every project the paginated *path* lists, or None when the API has no such group
    or user (404)."""
    found: list[RemoteRepo] = []
    try:
        for page in client.pages(path, params):
            found.extend(_project(item) for item in page)
    except ApiError as exc:
        if exc.problem is ApiProblem.NOT_FOUND:
            return None
        raise
    return found
