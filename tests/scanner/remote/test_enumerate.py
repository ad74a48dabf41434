"""Listing an organisation's or a group's repositories through the API stand-ins."""

from __future__ import annotations

import pytest

from keyguard.rehearsal.forge_github import GitHubStandin
from keyguard.rehearsal.forge_gitlab import GitLabStandin
from keyguard.rehearsal.forge_model import Budget
from scanner.remote.endpoints import Endpoints, from_environment
from scanner.remote.enumerate import enumerate_targets
from scanner.remote.targets import RemoteTarget, parse
from tests.support.forge import Clock, make_token


def endpoints(env: dict[str, str], **changes: str) -> Endpoints:
    return from_environment({**env, **changes})


def targets(env: Endpoints, *texts: str) -> list[RemoteTarget]:
    return [parse(t, env.servers) for t in texts]


def test_an_organisation_is_listed_one_call_per_page_forks_out_archived_in(
    github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    github_api.page_size = 2
    for i in range(5):
        github_api.add_repo(f"acme/app{i}", archived=i == 3, private=i == 4)
    github_api.add_repo("acme/forked", fork=True)
    env = endpoints(forge_env)
    found = enumerate_targets(targets(env, "github:acme"), env)
    assert [r.name for r in found.repos] == [f"github:acme/app{i}" for i in range(5)]
    assert found.repos[3].archived
    assert found.api_calls == 3  # 6 repositories, 2 a page: never one call per repository
    assert all(r.clone_url.endswith(f"/{r.name[7:]}.git") for r in found.repos)
    with_forks = enumerate_targets(targets(env, "github:acme"), env, include_forks=True)
    assert "github:acme/forked" in {r.name for r in with_forks.repos}
    assert not found.issues


def test_a_user_an_explicit_repository_and_duplicates(
    github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    github_api.add_owner("someone", "User")
    github_api.add_repo("someone/dotfiles")
    github_api.add_repo("acme/shop")
    github_api.add_repo("acme/fork", fork=True)
    env = endpoints(forge_env)
    found = enumerate_targets(
        targets(env, "github:someone", "github:acme/fork", "github:acme/shop", "github:acme"), env
    )
    # A fork named on its own is swept; the organisation's listing names shop again.
    assert [r.name for r in found.repos] == [
        "github:acme/fork",
        "github:acme/shop",
        "github:someone/dotfiles",
    ]


def test_missing_owner_bad_token_and_credentials_in_a_url_are_one_issue_each(
    github_api: GitHubStandin, gitlab_api: GitLabStandin, forge_env: dict[str, str]
) -> None:
    github_api.add_repo("acme/shop")
    gitlab_api.add_repo("grp/app")
    env = endpoints(forge_env)
    found = enumerate_targets(
        targets(env, "github:nobody", "github:acme/gone", "gitlab:grp", "https://u:p@h.example/x"),
        env,
    )
    assert [r.name for r in found.repos] == ["gitlab:grp/app"]
    problems = {i.target: i.problem for i in found.issues}
    assert problems == {
        "github:nobody": "not-found",
        "github:acme/gone": "not-found",
        "https://***@h.example/x": "credentials-in-url",
    }
    bad = endpoints(forge_env, GITHUB_TOKEN=make_token("expired"), GITLAB_TOKEN="")
    refused = enumerate_targets(targets(bad, "github:acme", "gitlab:grp"), bad)
    assert [(i.target, i.problem) for i in refused.issues] == [("github:acme", "unauthorized")]
    assert "Bad credentials" in refused.issues[0].detail
    assert make_token("expired") not in refused.issues[0].detail
    assert [r.name for r in refused.repos] == ["gitlab:grp/app"]  # public without a token


def test_a_spent_budget_is_waited_out_within_the_limit(
    github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    clock = Clock()
    github_api.budget = Budget(limit=2, window=30, clock=clock)
    github_api.page_size = 1
    for i in range(3):
        github_api.add_repo(f"acme/r{i}")
    env = endpoints(forge_env)
    found = enumerate_targets(
        targets(env, "github:acme"), env, wait_max=60, clock=clock, sleep=clock.sleep
    )
    assert len(found.repos) == 3
    assert len(clock.slept) == 1
    assert 29 <= clock.slept[0] <= 32
    assert found.waits
    assert "waited" in found.waits[0].message
    # Waited before the third call, not after a refusal: no call was wasted.
    assert [c.status for c in github_api.calls] == [200, 200, 200]


def test_a_budget_spent_for_longer_than_the_limit_fails_fast(
    github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    clock = Clock()
    github_api.budget = Budget(limit=5, window=3600, clock=clock)
    github_api.budget.spend(5)
    github_api.add_repo("acme/shop")
    github_api.add_repo("other/lib")
    env = endpoints(forge_env)
    found = enumerate_targets(
        targets(env, "github:acme", "github:other"),
        env,
        wait_max=10,
        clock=clock,
        sleep=clock.sleep,
    )
    assert [i.problem for i in found.issues] == ["rate-limited", "rate-limited"]
    assert "rate limit exhausted until" in found.issues[0].detail
    assert clock.slept == []
    assert len(github_api.calls) == 1  # the second owner was not asked: the budget is known spent


def test_a_secondary_limit_is_retried_after_its_retry_after(
    github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    clock = Clock()
    github_api.budget = Budget(limit=100, window=3600, clock=clock)
    github_api.budget.secondary(retry_after=4)
    github_api.add_repo("acme/shop")
    env = endpoints(forge_env)
    found = enumerate_targets(
        targets(env, "github:acme"), env, wait_max=10, clock=clock, sleep=clock.sleep
    )
    assert [r.name for r in found.repos] == ["github:acme/shop"]
    assert clock.slept == [4.0]


@pytest.mark.parametrize("link", [True, False])
def test_a_gitlab_group_with_subgroups_pages_by_link_or_next_page(
    gitlab_api: GitLabStandin, forge_env: dict[str, str], link: bool
) -> None:
    gitlab_api.page_size = 2
    gitlab_api.send_link = link
    for path in ("grp/a", "grp/sub/b", "grp/sub/deeper/c", "grp/d"):
        gitlab_api.add_repo(path, archived=path.endswith("d"))
    gitlab_api.add_repo("grp/fork", fork=True)
    gitlab_api.add_repo("elsewhere/e")
    env = endpoints(forge_env)
    found = enumerate_targets(targets(env, "gitlab:grp"), env)
    assert [r.name for r in found.repos] == [
        "gitlab:grp/a",
        "gitlab:grp/d",
        "gitlab:grp/sub/b",
        "gitlab:grp/sub/deeper/c",
    ]
    assert found.api_calls == 3
    sub = enumerate_targets(targets(env, "gitlab:grp/sub", "gitlab:grp/sub/b"), env)
    assert [r.name for r in sub.repos] == ["gitlab:grp/sub/b", "gitlab:grp/sub/deeper/c"]


def test_gitlab_missing_group_bad_token_and_rate_limit(
    gitlab_api: GitLabStandin, forge_env: dict[str, str]
) -> None:
    gitlab_api.add_repo("grp/a")
    env = endpoints(forge_env)
    missing = enumerate_targets(targets(env, "gitlab:nope", "gitlab:nope/x"), env)
    assert [i.problem for i in missing.issues] == ["not-found", "not-found"]
    bad = endpoints(forge_env, GITLAB_TOKEN=make_token("bad"))
    (issue,) = enumerate_targets(targets(bad, "gitlab:grp"), bad).issues
    assert issue.problem == "unauthorized"
    assert "401" in issue.detail
    clock = Clock()
    gitlab_api.budget = Budget(limit=1, window=3600, clock=clock)
    gitlab_api.budget.spend(1)
    (limited,) = enumerate_targets(
        targets(env, "gitlab:grp"), env, wait_max=5, clock=clock, sleep=clock.sleep
    ).issues
    assert limited.problem == "rate-limited"


def test_a_user_lists_public_repositories_and_the_token_owner_its_private_ones_too(
    github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    github_api.add_owner("someone", "User")
    github_api.add_owner(github_api.token_login, "User")
    github_api.add_repo("someone/public")
    github_api.add_repo("someone/secret", private=True)
    github_api.add_repo(f"{github_api.token_login}/mine")
    github_api.add_repo(f"{github_api.token_login}/hidden", private=True)
    env = endpoints(forge_env)
    # Another user's private repositories are not listed, token or not (as on GitHub).
    other = enumerate_targets(targets(env, "github:someone"), env)
    assert [r.name for r in other.repos] == ["github:someone/public"]
    own = enumerate_targets(targets(env, f"github:{github_api.token_login.upper()}"), env)
    assert [r.name for r in own.repos] == [
        f"github:{github_api.token_login}/hidden",
        f"github:{github_api.token_login}/mine",
    ]
    assert any(c.path.startswith("/user/repos?") for c in github_api.calls)
    anonymous = endpoints(forge_env, GITHUB_TOKEN="", GH_TOKEN="")
    public = enumerate_targets(targets(anonymous, f"github:{github_api.token_login}"), anonymous)
    assert [r.name for r in public.repos] == [f"github:{github_api.token_login}/mine"]


def test_a_gitlab_user_namespace_is_listed_after_groups(
    gitlab_api: GitLabStandin, forge_env: dict[str, str]
) -> None:
    gitlab_api.page_size = 1
    gitlab_api.add_user("alice")
    gitlab_api.add_repo("alice/one")
    gitlab_api.add_repo("alice/two", private=True)
    gitlab_api.add_repo("grp/app")
    env = endpoints(forge_env)
    found = enumerate_targets(targets(env, "gitlab:alice", "gitlab:grp"), env)
    names = [r.name for r in found.repos]
    assert names == ["gitlab:alice/one", "gitlab:alice/two", "gitlab:grp/app"]
    assert not found.issues
    missing = enumerate_targets(targets(env, "gitlab:nobody"), env)
    assert [i.problem for i in missing.issues] == ["not-found"]
    assert "group, user or project" in missing.issues[0].detail
