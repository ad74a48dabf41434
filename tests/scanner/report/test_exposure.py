"""Exposure summed up from the occurrences of a real sweep."""

from __future__ import annotations

import subprocess
from pathlib import Path

from plugins.pattern import fingerprint
from scanner.findings import Occurrence
from scanner.report.exposure import Place, exposure_of, is_pull_ref
from scanner.report.model import load
from tests.support.git import GIT_ENV, commit_file, git, git_env, init_repo
from tests.support.keyguard_cli import run_keyguard
from tests.support.keys import make_key


def test_pull_request_refs_tags_head_and_first_commit(tmp_path: Path) -> None:
    key = make_key("exposure")
    repo = init_repo(tmp_path / "r")
    (repo / "a.env").write_text(f"K={key}\n", encoding="utf-8")
    git(repo, "add", "a.env")
    dated = {**git_env(), "GIT_AUTHOR_DATE": "2025-03-04T05:06:07+00:00"}
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "first"], env=dated, check=True)
    first = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "tag", "v1")
    git(repo, "update-ref", "refs/pull/3/head", "HEAD")
    commit_file(repo, "b.js", f"k='{key}'\n", "second")
    out = tmp_path / "s.json"
    done = run_keyguard("sweep", repo, "--format", "json", "-o", out, cwd=tmp_path, env=GIT_ENV)
    assert done.returncode == 1, done.stderr
    (finding,) = load(out).findings
    assert finding.fingerprint == fingerprint(key)
    e = exposure_of(finding.occurrences)
    assert e.repositories == (str(repo),)
    assert e.pull_refs == ("refs/pull/3/head",)
    assert e.tags == ("refs/tags/v1",)
    assert e.at_head == (Place(str(repo), "a.env"), Place(str(repo), "b.js"))
    assert e.first_commit == first
    assert e.current
    assert e.first_committed == "2025-03-04T05:06:07+00:00"


def test_sites_and_files_without_history() -> None:
    site = Occurrence("https://shop.example/app.js", 1, 1, 1)
    file = Occurrence("src/a.py", 2, 3, 3)
    stdin = Occurrence("-", 1, 1, 1)
    e = exposure_of([site, file, stdin])
    assert e.sites == ("https://shop.example/app.js",)
    assert e.places == (Place(None, "src/a.py"),)
    assert e.in_worktree == (Place(None, "src/a.py"),)
    assert e.repositories == ()
    assert e.first_committed is None


def test_pull_request_refs_of_every_host() -> None:
    for ref in (
        "refs/pull/1/head",
        "refs/pull/1/merge",
        "refs/merge-requests/9/head",
        "refs/pull-requests/2/from",
        "refs/remotes/origin/pr/12",
    ):
        assert is_pull_ref(ref), ref
    for ref in ("refs/heads/pull", "refs/tags/pr/1", "refs/remotes/origin/main"):
        assert not is_pull_ref(ref), ref
