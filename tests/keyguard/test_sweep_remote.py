"""``keyguard sweep github:OWNER`` and friends, end to end: the API stand-ins list the
repositories, the smart-HTTP git server serves them, keyguard mirrors and sweeps them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from keyguard.rehearsal.forge_github import GitHubStandin
from keyguard.rehearsal.forge_gitlab import GitLabStandin
from keyguard.rehearsal.forge_model import Budget
from keyguard.rehearsal.git_http import GitHttpServer
from plugins.pattern import fingerprint
from scanner.remote.endpoints import Token
from scanner.remote.gitauth import secret_forms
from tests.support.forge import make_token, serve_history, serve_repo
from tests.support.in_process import run_keyguard_in_process
from tests.support.keys import make_key
from tests.support.leaks import files_holding, git_wrapper, watching_argv


def keyguard(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_keyguard_in_process(["sweep", *args], cwd=cwd, env={**os.environ, **env})


def report(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.returncode in (0, 1, 3), proc.stderr
    document: dict[str, Any] = json.loads(proc.stdout)
    return document


def fleet(git_server: GitHttpServer, api: GitHubStandin) -> dict[str, str]:
    """acme: a key deleted from main, one only on a pull request's head, one in an archived
    repository, one in a fork; and a clean repository."""
    keys = {name: make_key(f"fleet-{name}") for name in ("shop", "pr", "archived", "fork")}
    serve_history(
        git_server, "acme/shop", [{"settings.py": f"KEY = '{keys['shop']}'\n"}, {"settings.py": ""}]
    )
    serve_repo(git_server, "acme/docs", {"README.md": "docs\n"})
    serve_repo(
        git_server, "acme/widget", {"app.js": "ok\n"}, pulls={4: {"app.js": f"k='{keys['pr']}'\n"}}
    )
    serve_repo(git_server, "acme/legacy", {"old.env": f"K={keys['archived']}\n"})
    serve_repo(git_server, "acme/widget-fork", {"f.env": f"K={keys['fork']}\n"})
    for name in ("shop", "docs", "widget"):
        api.add_repo(f"acme/{name}")
    api.add_repo("acme/legacy", archived=True)
    api.add_repo("acme/widget-fork", fork=True)
    return keys


def test_an_organisation_is_swept_pull_request_heads_and_archives_included(
    tmp_path: Path, git_server: GitHttpServer, github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    keys = fleet(git_server, github_api)
    proc = keyguard("github:acme", "--format", "json", "--jobs", "2", cwd=tmp_path, env=forge_env)
    assert proc.returncode == 1, proc.stderr
    document = report(proc)
    found = {f["fingerprint"] for f in document["findings"]}
    assert found == {fingerprint(keys[k]) for k in ("shop", "pr", "archived")}
    assert [t["target"] for t in document["targets"]] == [
        "github:acme/docs",
        "github:acme/legacy",
        "github:acme/shop",
        "github:acme/widget",
    ]
    assert {t["kind"] for t in document["targets"]} == {"mirror"}
    assert document["stats"]["api_calls"] == 1
    assert document["stats"]["repositories"] == 4
    (pr,) = [f for f in document["findings"] if f["fingerprint"] == fingerprint(keys["pr"])]
    (where,) = pr["occurrences"]
    assert where["repository"] == "github:acme/widget"
    assert where["refs"] == ["refs/pull/4/head"]
    cache = Path(forge_env["XDG_CACHE_HOME"]) / "keyguard" / "mirrors"
    assert str(cache) not in proc.stdout  # repositories are named, not their mirrors
    sarif = json.loads(
        keyguard("github:acme", "--format", "sarif", cwd=tmp_path, env=forge_env).stdout
    )
    bases = sarif["runs"][0]["originalUriBaseIds"]
    assert sorted(b["uri"] for b in bases.values()) == [
        "github:acme/legacy/",
        "github:acme/shop/",
        "github:acme/widget/",
    ]

    without = report(
        keyguard("github:acme", "--no-pull-refs", "--format", "json", cwd=tmp_path, env=forge_env)
    )
    assert fingerprint(keys["pr"]) not in {f["fingerprint"] for f in without["findings"]}
    forks = report(
        keyguard("github:acme", "--include-forks", "--format", "json", cwd=tmp_path, env=forge_env)
    )
    assert fingerprint(keys["fork"]) in {f["fingerprint"] for f in forks["findings"]}


def test_a_gitlab_group_with_subgroups_and_merge_request_heads(
    tmp_path: Path, git_server: GitHttpServer, gitlab_api: GitLabStandin, forge_env: dict[str, str]
) -> None:
    key = make_key("gitlab-mr")
    serve_history(
        git_server,
        "grp/sub/app",
        [{"a.txt": "ok\n"}],
        pulls={9: {"a.txt": f"{key}\n"}},
        pull_ref="refs/merge-requests/{}/head",
    )
    serve_repo(git_server, "grp/tool", {"b.txt": "ok\n"})
    gitlab_api.add_repo("grp/sub/app")
    gitlab_api.add_repo("grp/tool")
    document = report(keyguard("gitlab:grp", "--format", "json", cwd=tmp_path, env=forge_env))
    (finding,) = document["findings"]
    assert finding["fingerprint"] == fingerprint(key)
    assert finding["occurrences"][0]["refs"] == ["refs/merge-requests/9/head"]
    assert finding["occurrences"][0]["repository"] == "gitlab:grp/sub/app"
    assert [t["target"] for t in document["targets"]] == ["gitlab:grp/sub/app", "gitlab:grp/tool"]


def test_clone_urls_in_a_targets_file_beside_a_local_path(
    tmp_path: Path, git_server: GitHttpServer, forge_env: dict[str, str]
) -> None:
    key = make_key("by-url")
    serve_repo(git_server, "team/app", {"k.txt": f"{key}\n"})
    local = tmp_path / "local"
    serve_repo(git_server, "team/other", {"x.txt": "ok\n"})
    subprocess.run(
        ["git", "clone", "-q", str(git_server.root / "team/other.git"), str(local)], check=True
    )
    listing = tmp_path / "repos.txt"
    listing.write_text(f"# the fleet\n{git_server.url_for('team/app')}\n{local}\n")
    document = report(
        keyguard("--targets-from", listing, "--format", "json", cwd=tmp_path, env=forge_env)
    )
    assert [f["fingerprint"] for f in document["findings"]] == [fingerprint(key)]
    # On the configured GitHub server, a URL is named as github:OWNER/REPO would be.
    assert {t["target"] for t in document["targets"]} == {"github:team/app", str(local)}
    assert document["stats"]["api_calls"] == 0


def test_the_token_is_never_in_argv_the_cache_a_report_or_stderr(
    tmp_path: Path,
    git_server: GitHttpServer,
    github_api: GitHubStandin,
    forge_env: dict[str, str],
) -> None:
    fleet(git_server, github_api)
    github_api.add_repo("acme/missing")  # listed, but the clone fails: its error is echoed
    argv_log = tmp_path / "argv.log"
    git_wrapper(tmp_path / "bin", argv_log)
    env = {**forge_env, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    forms = secret_forms(Token("GITHUB_TOKEN", forge_env["GITHUB_TOKEN"]))
    out = tmp_path / "out"
    out.mkdir()
    with watching_argv(forms) as seen:
        for fmt in ("json", "sarif", "jsonl", "console"):
            proc = keyguard(
                "github:acme", "--format", fmt, "-o", out / f"r.{fmt}", cwd=tmp_path, env=env
            )
            assert proc.returncode == 1, proc.stderr
            assert not any(form in proc.stdout + proc.stderr for form in forms)
        proc = keyguard("github:acme", "--jobs", "2", cwd=tmp_path, env=env)  # again: fetches
    assert "no such repository" in proc.stdout
    assert seen == []
    assert "fetch" in argv_log.read_text()
    assert not any(form in argv_log.read_text() for form in forms)
    assert files_holding(Path(forge_env["XDG_CACHE_HOME"]), forms) == []
    assert files_holding(out, forms) == []
    assert git_server.pushes() == 0


def test_bad_input_is_one_line_each_and_the_rest_is_swept(
    tmp_path: Path, git_server: GitHttpServer, github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    serve_repo(git_server, "acme/ok", {"a.txt": "clean\n"})
    serve_repo(git_server, "acme/sso", {"a.txt": "clean\n"})
    github_api.add_repo("acme/ok")
    github_api.add_repo("acme/sso")
    git_server.denied.add("acme/sso")  # listed, but the token may not clone it
    leaked = f"https://x-access-token:{make_token('pasted')}@example.invalid/acme/ok.git"
    proc = keyguard("github:acme", "github:nobody", leaked, cwd=tmp_path, env=forge_env)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    text = proc.stdout
    assert make_token("pasted") not in text + proc.stderr
    lines = [ln for ln in text.splitlines() if "github:" in ln or "***@" in ln]
    assert any("github:nobody" in ln and "no such organisation or user" in ln for ln in lines)
    assert any("github:acme/sso" in ln and "no such repository" in ln for ln in lines)
    assert any("***@example.invalid" in ln and "GITHUB_TOKEN" in ln for ln in text.splitlines())
    document = report(
        keyguard("github:acme", "github:nobody", "--format", "json", cwd=tmp_path, env=forge_env)
    )
    assert [t["target"] for t in document["targets"]] == ["github:acme/ok", "github:acme/sso"]
    assert document["targets"][0]["errors"] == 0
    assert sorted(e["path"] for e in document["errors"]) == ["github:acme/sso", "github:nobody"]


def test_a_bad_token_and_a_spent_rate_limit(
    tmp_path: Path, git_server: GitHttpServer, github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    serve_repo(git_server, "acme/ok", {"a.txt": "clean\n"})
    github_api.add_repo("acme/ok")
    bad = {**forge_env, "GITHUB_TOKEN": make_token("expired")}
    proc = keyguard("github:acme", "--format", "json", cwd=tmp_path, env=bad)
    assert proc.returncode == 3
    (error,) = report(proc)["errors"]
    assert error["path"] == "github:acme"
    assert "HTTP 401" in error["message"]
    assert "GITHUB_TOKEN" in error["message"]
    github_api.budget = Budget(limit=10, window=3600)
    github_api.budget.spend(10)
    limited = keyguard(
        "github:acme", "--api-wait-max", "1", "--format", "json", cwd=tmp_path, env=forge_env
    )
    (error,) = report(limited)["errors"]
    assert "rate limit exhausted" in error["message"]
    assert "--api-wait-max" in error["message"]
    assert report(limited)["stats"]["api_calls"] == 1


@pytest.fixture
def tiny_cache(tmp_path: Path) -> Iterator[Path]:
    """A clone cache on a 1 MiB file system (needs root to mount; skipped without)."""
    where = tmp_path / "tiny"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_clone_cache_is_one_line_and_the_rest_is_swept(
    tmp_path: Path,
    git_server: GitHttpServer,
    github_api: GitHubStandin,
    forge_env: dict[str, str],
    tiny_cache: Path,
) -> None:
    key = make_key("small-one")
    serve_repo(git_server, "acme/a-small", {"k.txt": f"{key}\n"})
    serve_repo(git_server, "acme/b-huge", {"blob.bin": os.urandom(3 << 20).hex()})
    github_api.add_repo("acme/a-small")
    github_api.add_repo("acme/b-huge")
    proc = keyguard(
        "github:acme",
        "--clone-cache",
        tiny_cache,
        "--jobs",
        "1",
        "--format",
        "json",
        cwd=tmp_path,
        env=forge_env,
    )
    document = report(proc)
    assert [f["fingerprint"] for f in document["findings"]] == [fingerprint(key)]
    (error,) = document["errors"]
    assert error["path"] == "github:acme/b-huge"
    assert "no space left" in error["message"]
    assert not list(tiny_cache.rglob("*.partial-*"))


def test_a_token_for_another_host_is_not_sent(
    tmp_path: Path, git_server: GitHttpServer, forge_env: dict[str, str]
) -> None:
    serve_repo(git_server, "team/app", {"a.txt": "clean\n"})
    elsewhere = {
        **forge_env,
        "GITHUB_SERVER_URL": "https://github.example.invalid",
        "CI_SERVER_URL": "https://gitlab.example.invalid",
    }
    proc = keyguard(git_server.url_for("team/app"), "--format", "json", cwd=tmp_path, env=elsewhere)
    (error,) = report(proc)["errors"]
    assert "asks for credentials and none were given" in error["message"]
    assert {r.token for r in git_server.requests} == {"none"}


def test_an_ssh_clone_that_fails_is_one_line(tmp_path: Path, forge_env: dict[str, str]) -> None:
    proc = keyguard(
        "ssh://git@127.0.0.1:1/acme/app.git",
        "git@127.0.0.1:acme/lib.git",
        "--format",
        "json",
        cwd=tmp_path,
        env={
            **forge_env,
            "GIT_SSH_COMMAND": "ssh -o BatchMode=yes -o ConnectTimeout=5 "
            "-o StrictHostKeyChecking=no",
        },
    )
    document = report(proc)
    assert proc.returncode == 3
    assert sorted(e["path"] for e in document["errors"]) == [
        "127.0.0.1/acme/lib",
        "127.0.0.1:1/acme/app",
    ]
    assert all("\n" not in e["message"] for e in document["errors"])


def test_a_clone_that_hangs_is_stopped_by_clone_timeout_and_the_rest_is_swept(
    tmp_path: Path, git_server: GitHttpServer, forge_env: dict[str, str]
) -> None:
    key = make_key("timeout-neighbour")
    serve_repo(git_server, "acme/shop", {"settings.py": f"KEY = '{key}'\n"})
    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        stuck = f"http://127.0.0.1:{listener.getsockname()[1]}/acme/stuck.git"
        proc = keyguard(
            stuck,
            git_server.url + "/acme/shop.git",
            "--clone-timeout",
            "1.5",
            "--format",
            "json",
            cwd=tmp_path,
            env=forge_env,
        )
    document = report(proc)
    assert proc.returncode == 1  # a key found outranks a repository unread (3)
    [error] = document["errors"]
    assert "took longer than 1.5 s" in error["message"]
    assert [f["fingerprint"] for f in document["findings"]] == [fingerprint(key)]
