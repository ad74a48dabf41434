"""The smart-HTTP git server: real clones through ``git http-backend``, basic auth, no push."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

from keyguard.rehearsal.git_http import GitHttpServer
from tests.support.forge import make_token, serve_repo
from tests.support.git import git_env


def clone(url: str, into: Path, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**git_env(), "GIT_TERMINAL_PROMPT": "0"}
    if token is not None:
        pair = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        env.update(
            GIT_CONFIG_COUNT="1",
            GIT_CONFIG_KEY_0="http.extraHeader",
            GIT_CONFIG_VALUE_0=f"Authorization: Basic {pair}",
        )
    return subprocess.run(
        ["git", "clone", "-q", "--mirror", url, str(into)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_a_clone_needs_the_token_and_gets_pull_request_refs(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    serve_repo(git_server, "acme/shop", {"a.txt": "hello\n"}, pulls={7: {"a.txt": "pr\n"}})
    url = git_server.url_for("acme/shop")
    refused = clone(url, tmp_path / "anon.git")
    assert refused.returncode != 0
    assert "terminal prompts disabled" in refused.stderr
    wrong = clone(url, tmp_path / "wrong.git", make_token("wrong"))
    assert wrong.returncode != 0
    ok = clone(url, tmp_path / "m.git", git_server.token)
    assert ok.returncode == 0, ok.stderr
    refs = subprocess.run(
        ["git", "-C", str(tmp_path / "m.git"), "for-each-ref", "--format=%(refname)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert refs == ["refs/heads/main", "refs/pull/7/head"]
    verdicts = {r.token for r in git_server.requests}
    assert verdicts == {"none", "bad", "good"}


def test_denied_repositories_and_pushes_are_refused(
    git_server: GitHttpServer, tmp_path: Path
) -> None:
    serve_repo(git_server, "acme/secret", {"a.txt": "x\n"})
    git_server.denied.add("acme/secret")
    assert clone(git_server.url_for("acme/secret"), tmp_path / "s.git", git_server.token).returncode
    git_server.denied.clear()
    assert (
        clone(git_server.url_for("acme/secret"), tmp_path / "s.git", git_server.token).returncode
        == 0
    )
    push = subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path / "s.git"),
            "push",
            "-q",
            git_server.url_for("acme/secret"),
            "main:x",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        check=False,
    )
    assert push.returncode != 0
    assert git_server.pushes() >= 1
