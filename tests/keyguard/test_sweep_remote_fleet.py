"""Fleets of remote repositories on the engines users run: shards merged into one report,
and a killed sweep resumed from its checkpoint into the report an uninterrupted run gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from keyguard.rehearsal.forge_github import GitHubStandin
from keyguard.rehearsal.git_http import GitHttpServer
from plugins.pattern import fingerprint
from tests.support.detect_secrets_cli import REPO_ROOT
from tests.support.forge import serve_repo
from tests.support.in_process import run_keyguard_in_process
from tests.support.keys import make_key


def keyguard(*args: str | Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_keyguard_in_process(list(args), cwd=cwd, env={**os.environ, **env})


def org(git_server: GitHttpServer, api: GitHubStandin, count: int) -> dict[str, str]:
    """*count* repositories in acme, every third holding a key (one on a pull request)."""
    keys = {}
    for i in range(count):
        name = f"acme/r{i:02d}"
        if i % 3 == 1:
            keys[name] = make_key(f"resume-{i}")
            pulls = {1: {"pr.txt": f"{keys[name]}\n"}} if i == 4 else None
            files = {"a.txt": "clean\n"} if pulls else {"k.env": f"K={keys[name]}\n"}
            serve_repo(git_server, name, files, pulls=pulls)
        else:
            serve_repo(git_server, name, {"a.txt": f"clean {i}\n"})
        api.add_repo(name)
    return keys


def document(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_shards_of_an_organisation_merge_into_the_whole_sweep(
    tmp_path: Path, git_server: GitHttpServer, github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    keys = org(git_server, github_api, 9)
    whole = tmp_path / "whole.json"
    assert (
        keyguard(
            "sweep", "github:acme", "--format", "json", "-o", whole, cwd=tmp_path, env=forge_env
        ).returncode
        == 1
    )
    shards = []
    for i in range(3):
        out = tmp_path / f"shard-{i}.json"
        proc = keyguard(
            "sweep",
            "github:acme",
            "--shard",
            f"{i}/3",
            "--format",
            "json",
            "-o",
            out,
            cwd=tmp_path,
            env=forge_env,
        )
        assert proc.returncode in (0, 1), proc.stderr
        shards.append(out)
    records = [document(s)["shard"] for s in shards]
    assert len({r["targets_sha256"] for r in records}) == 1
    assert sum(document(s)["stats"]["repositories"] for s in shards) == 9
    merged = tmp_path / "merged.json"
    assert (
        keyguard(
            "merge", *shards, "--format", "json", "-o", merged, cwd=tmp_path, env=forge_env
        ).returncode
        == 1
    )
    expected, got = document(whole), document(merged)
    assert {f["fingerprint"] for f in got["findings"]} == {fingerprint(k) for k in keys.values()}
    assert got["stats"]["api_calls"] == 3  # each shard listed the organisation once
    for report in (expected, got):
        report["stats"].pop("api_calls")
        report.pop("schema_version", None)
    assert got == expected
    # A repository added between two jobs makes another list: merge names the odd shard.
    github_api.add_repo("acme/r99")
    serve_repo(git_server, "acme/r99", {"a.txt": "new\n"})
    late = tmp_path / "late.json"
    keyguard(
        "sweep",
        "github:acme",
        "--shard",
        "2/3",
        "--format",
        "json",
        "-o",
        late,
        cwd=tmp_path,
        env=forge_env,
    )
    refused = keyguard("merge", shards[0], shards[1], late, cwd=tmp_path, env=forge_env)
    assert refused.returncode == 2
    assert "another target list" in refused.stderr
    missing = keyguard("merge", shards[0], shards[1], cwd=tmp_path, env=forge_env)
    assert missing.returncode == 2
    assert "shard 2/3 is missing" in missing.stderr


def test_a_killed_sweep_resumes_without_sweeping_finished_repositories_again(
    tmp_path: Path, git_server: GitHttpServer, github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    keys = org(git_server, github_api, 7)
    checkpoint = tmp_path / "sweep.checkpoint"
    resumed = tmp_path / "resumed.json"
    command = ["sweep", "github:acme", "--jobs", "1", "--checkpoint", str(checkpoint)]
    command += ["--format", "json", "-o", str(resumed)]
    git_server.delay = 0.2  # slow enough to stop it half way
    env = {**os.environ, **forge_env, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "keyguard.main", *command],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if checkpoint.exists() and len(checkpoint.read_text().splitlines()) >= 4:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    finished = [
        json.loads(ln)["target"]
        for ln in checkpoint.read_text().splitlines()[1:]
        if ln.endswith("}")
    ]
    assert 3 <= len(finished) < 7, finished
    assert "github:acme/r01" in finished  # a finished repository that held a key
    assert not any(key in checkpoint.read_text() for key in keys.values())
    git_server.delay = 0.0
    before = len(git_server.requests)
    proc = keyguard(*command, cwd=tmp_path, env=forge_env)
    assert proc.returncode == 1, proc.stderr
    asked = Counter(r.path.split(".git/")[0].lstrip("/") for r in git_server.requests[before:])
    assert not any(f"acme/{name.rsplit('/', 1)[1]}" in asked for name in finished)
    assert sum(asked.values()) > 0  # the others were fetched or cloned
    assert json.loads(checkpoint.read_text().splitlines()[-1]) == {"completed": True, "targets": 7}

    whole = tmp_path / "whole.json"
    fresh = {**forge_env, "XDG_CACHE_HOME": str(tmp_path / "other-cache")}
    assert (
        keyguard(
            "sweep", "github:acme", "--format", "json", "-o", whole, cwd=tmp_path, env=fresh
        ).returncode
        == 1
    )
    assert document(resumed) == document(whole)
    assert {f["fingerprint"] for f in document(whole)["findings"]} == {
        fingerprint(k) for k in keys.values()
    }
    # The checkpoint says that sweep completed: the same command sweeps afresh.
    before = len(git_server.requests)
    assert keyguard(*command, cwd=tmp_path, env=forge_env).returncode == 1
    assert len({r.path.split(".git/")[0] for r in git_server.requests[before:]}) == 7


def test_a_resumed_sweep_takes_in_a_repository_created_meanwhile(
    tmp_path: Path, git_server: GitHttpServer, github_api: GitHubStandin, forge_env: dict[str, str]
) -> None:
    org(git_server, github_api, 3)
    checkpoint = tmp_path / "sweep.checkpoint"
    command = ["sweep", "github:acme", "--checkpoint", str(checkpoint), "--format", "json"]
    assert keyguard(*command, cwd=tmp_path, env=forge_env).returncode == 1
    lines = checkpoint.read_text().splitlines()
    checkpoint.write_text("\n".join(lines[:-1]) + "\n")  # as if killed before it completed
    serve_repo(git_server, "acme/r99", {"k.env": f"K={make_key('created-meanwhile')}\n"})
    github_api.add_repo("acme/r99")
    before = len(git_server.requests)
    proc = keyguard(*command, cwd=tmp_path, env=forge_env)
    assert proc.returncode == 1, proc.stderr
    assert {r.path.split(".git/")[0] for r in git_server.requests[before:]} == {"/acme/r99"}
    assert fingerprint(make_key("created-meanwhile")) in proc.stdout
