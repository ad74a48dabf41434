"""A local forge for tests: the smart-HTTP git server and the GitHub and GitLab stand-ins.

Repositories are built with the git CLI and served by ``git http-backend``; the API
stand-ins' clone URLs point at that server. Tokens are made at run time and look nothing
like a real one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from keyguard.rehearsal.forge_github import GitHubStandin
from keyguard.rehearsal.forge_gitlab import GitLabStandin
from keyguard.rehearsal.git_http import GitHttpServer
from tests.support.git import git, init_repo


def make_token(label: str) -> str:
    """A token derived from *label*: long enough to be searched for, shaped like no forge's."""
    return "kgtest_" + hashlib.sha256(label.encode()).hexdigest()[:32]


@dataclass
class Clock:
    """Time a test moves: the stand-ins' budgets and the API client read it, and the
    client's waits advance it instead of sleeping."""

    now: float = 1_800_000_000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def serve_repo(
    server: GitHttpServer,
    path: str,
    files: Mapping[str, str],
    *,
    pulls: Mapping[int, Mapping[str, str]] | None = None,
) -> Path:
    """A bare repository at *path* on *server*: one commit of *files* on ``main``, and for
    each pull request N a commit only ``refs/pull/N/head`` holds (GitHub's layout)."""
    return serve_history(server, path, [files], pulls=pulls)


def serve_history(
    server: GitHttpServer,
    path: str,
    commits: list[Mapping[str, str]],
    *,
    pulls: Mapping[int, Mapping[str, str]] | None = None,
    pull_ref: str = "refs/pull/{}/head",
) -> Path:
    bare = server.root / f"{path}.git"
    work = server.root.parent / "work" / path
    if not bare.exists():
        bare.parent.mkdir(parents=True, exist_ok=True)
        git(server.root, "init", "-q", "--bare", "-b", "main", str(bare))
        init_repo(work)
    for number, files in enumerate(commits):
        for name, text in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text, encoding="utf-8")
        git(work, "add", "-A")
        git(work, "commit", "-q", "--allow-empty", "-m", f"commit {number}")
    git(work, "push", "-q", str(bare), "main")
    for number, files in (pulls or {}).items():
        git(work, "checkout", "-q", "-b", f"pr{number}")
        for name, text in files.items():
            (work / name).write_text(text, encoding="utf-8")
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", f"pull request {number}")
        git(work, "push", "-q", str(bare), f"HEAD:{pull_ref.format(number)}")
        git(work, "checkout", "-q", "main")
        git(work, "branch", "-q", "-D", f"pr{number}")
    return bare


GIT_TOKEN_LABEL = "git-server"


@pytest.fixture
def git_server(tmp_path: Path) -> Iterator[GitHttpServer]:
    """A git server on 127.0.0.1 that wants ``make_token('git-server')`` by basic auth."""
    root = tmp_path / "served"
    root.mkdir()
    with GitHttpServer(root, token=make_token(GIT_TOKEN_LABEL)) as server:
        yield server


@pytest.fixture
def github_api(git_server: GitHttpServer) -> Iterator[GitHubStandin]:
    """The GitHub stand-in, taking the git server's token, its clone URLs on that server."""
    with GitHubStandin(git_server.url, token=git_server.token) as api:
        yield api


@pytest.fixture
def gitlab_api(git_server: GitHttpServer) -> Iterator[GitLabStandin]:
    with GitLabStandin(git_server.url, token=git_server.token) as api:
        yield api


@pytest.fixture
def forge_env(
    tmp_path: Path, git_server: GitHttpServer, github_api: GitHubStandin, gitlab_api: GitLabStandin
) -> dict[str, str]:
    """The variables a CI job would set: both APIs, the tokens, a cache of its own."""
    assert git_server.token is not None
    return {
        "GITHUB_API_URL": github_api.url,
        "GITHUB_SERVER_URL": git_server.url,
        "GITHUB_TOKEN": git_server.token,
        "CI_API_V4_URL": gitlab_api.api_url,
        "CI_SERVER_URL": git_server.url + "/gitlab-web",
        "GITLAB_TOKEN": git_server.token,
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
    }
