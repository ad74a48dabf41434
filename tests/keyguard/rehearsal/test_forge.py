"""The GitHub and GitLab stand-ins, driven with plain HTTP requests as any client would."""

from __future__ import annotations

import httpx

from keyguard.rehearsal.forge_github import GitHubStandin
from keyguard.rehearsal.forge_gitlab import GitLabStandin
from keyguard.rehearsal.forge_model import Budget
from tests.support.forge import Clock, make_token


def get(url: str, token: str | None = None, **headers: str) -> httpx.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.get(url, headers=headers, trust_env=False)


def test_github_pages_with_link_headers_and_rate_headers(github_api: GitHubStandin) -> None:
    github_api.budget = Budget(limit=50, window=3600)
    for i in range(3):
        github_api.add_repo(f"acme/r{i}")
    first = get(f"{github_api.url}/orgs/acme/repos?per_page=2", github_api.token)
    assert first.status_code == 200
    assert [r["full_name"] for r in first.json()] == ["acme/r0", "acme/r1"]
    assert 'rel="next"' in first.headers["link"]
    assert 'rel="last"' in first.headers["link"]
    assert first.headers["x-ratelimit-remaining"] == "49"
    assert int(first.headers["x-ratelimit-reset"]) > 0
    nxt = first.links["next"]["url"]
    second = get(nxt, github_api.token)
    assert [r["full_name"] for r in second.json()] == ["acme/r2"]
    assert "next" not in second.links
    assert [c.token for c in github_api.calls] == ["good", "good"]


def test_github_error_bodies(github_api: GitHubStandin) -> None:
    github_api.add_repo("acme/private", private=True)
    missing = get(f"{github_api.url}/orgs/nobody/repos")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Not Found"
    bad = get(f"{github_api.url}/orgs/acme/repos", make_token("wrong"))
    assert bad.status_code == 401
    assert bad.json()["message"] == "Bad credentials"
    # Without a token, a private repository is invisible, as on GitHub.
    assert get(f"{github_api.url}/repos/acme/private").status_code == 404
    assert get(f"{github_api.url}/repos/acme/private", github_api.token).status_code == 200


def test_github_rate_limits(github_api: GitHubStandin) -> None:
    clock = Clock()
    github_api.budget = Budget(limit=1, window=60, clock=clock)
    github_api.add_repo("acme/shop")
    assert get(f"{github_api.url}/repos/acme/shop").status_code == 200
    spent = get(f"{github_api.url}/repos/acme/shop")
    assert spent.status_code == 403
    assert spent.headers["x-ratelimit-remaining"] == "0"
    assert "rate limit" in spent.json()["message"]
    github_api.budget.secondary(retry_after=3)
    clock.now += 61
    secondary = get(f"{github_api.url}/repos/acme/shop")
    assert secondary.status_code == 403
    assert secondary.headers["retry-after"] == "3"
    assert get(f"{github_api.url}/repos/acme/shop").status_code == 200


def test_gitlab_pages_errors_and_limits(gitlab_api: GitLabStandin) -> None:
    clock = Clock()
    gitlab_api.budget = Budget(limit=3, window=60, clock=clock)
    for path in ("g/a", "g/s/b", "g/c"):
        gitlab_api.add_repo(path)
    url = f"{gitlab_api.api_url}/groups/g/projects?include_subgroups=true&per_page=2"
    first = get(url, private_token=str(gitlab_api.token))
    assert first.status_code == 200
    assert first.headers["x-next-page"] == "2"
    assert first.headers["x-total"] == "3"
    assert first.headers["ratelimit-remaining"] == "2"
    top = get(f"{gitlab_api.api_url}/groups/g/projects", gitlab_api.token)
    assert [p["path_with_namespace"] for p in top.json()] == ["g/a", "g/c"]
    missing = get(f"{gitlab_api.api_url}/groups/nope/projects", gitlab_api.token)
    assert missing.json() == {"message": "404 Group Not Found"}
    spent = get(f"{gitlab_api.api_url}/projects/g%2Fa", gitlab_api.token)
    assert spent.status_code == 429
    assert "retry-after" in spent.headers
    bad = get(f"{gitlab_api.api_url}/projects/g%2Fa", make_token("wrong"))
    assert bad.status_code == 401
    assert bad.json() == {"message": "401 Unauthorized"}


def test_both_forges_name_each_repository_s_own_default_branch(
    github_api: GitHubStandin, gitlab_api: GitLabStandin
) -> None:
    github_api.add_repo("acme/old", default_branch="master")
    github_api.add_repo("acme/new")
    listed = get(f"{github_api.url}/orgs/acme/repos", github_api.token).json()
    assert {r["full_name"]: r["default_branch"] for r in listed} == {
        "acme/old": "master",
        "acme/new": "main",
    }
    gitlab_api.add_repo("shop/legacy", default_branch="trunk")
    (project,) = get(f"{gitlab_api.api_url}/groups/shop/projects", gitlab_api.token).json()
    assert project["default_branch"] == "trunk"
