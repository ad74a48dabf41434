"""Keys got back from where real reports of real scans and sweeps say they were seen."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

from plugins.pattern import Secret
from scanner.recover import Lost, Miss, Recoverer
from scanner.report.model import Report, ReportFinding, load
from tests.support.git import GIT_ENV, commit_file, git, init_repo
from tests.support.keyguard_cli import run_keyguard
from tests.support.keys import make_key


def _sweep(tmp_path: Path, target: Path) -> Report:
    out = tmp_path / "sweep.json"
    done = run_keyguard("sweep", target, "--format", "json", "-o", out, cwd=tmp_path, env=GIT_ENV)
    assert done.returncode == 1, done.stderr
    return load(out)


def _finding(report: Report, key: str) -> ReportFinding:
    (found,) = [f for f in report.findings if f.fingerprint == Secret(key).fingerprint]
    return found


def test_keys_come_back_from_blobs_work_trees_and_encodings(tmp_path: Path) -> None:
    deleted, untracked, hidden = (make_key(f"recover-{n}") for n in ("del", "untracked", "b64"))
    repo = init_repo(tmp_path / "shop")
    commit_file(repo, "old.env", f"K={deleted}\n")
    git(repo, "rm", "-q", "old.env")
    git(repo, "commit", "-q", "-m", "gone")
    commit_file(repo, "blob.txt", base64.b64encode(f"key={hidden};".encode()).decode() + "\n")
    (repo / "local.env").write_text(f"U={untracked}\n", encoding="utf-8")
    report = _sweep(tmp_path, repo)
    assert all(f.secret is None for f in report.findings)  # a report holds no key
    with Recoverer([tmp_path]) as recoverer:
        for key in (deleted, untracked, hidden):
            got = recoverer.recover(_finding(report, key))
            assert isinstance(got, Secret)
            assert got.reveal() == key


def test_a_scanned_file_is_read_at_its_path_until_it_changes(tmp_path: Path) -> None:
    key = make_key("recover-file")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "settings.py").write_text(f"KEY = '{key}'\n", encoding="utf-8")
    out = tmp_path / "scan.json"
    assert run_keyguard("scan", "src", "--format", "json", "-o", out, cwd=tmp_path).returncode == 1
    finding = _finding(load(out), key)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with Recoverer([elsewhere, tmp_path]) as recoverer:  # relative to the second base
        got = recoverer.recover(finding)
    assert isinstance(got, Secret)
    assert got.reveal() == key
    (tmp_path / "src" / "settings.py").write_text("KEY = None\n", encoding="utf-8")
    with Recoverer([tmp_path]) as recoverer:
        assert recoverer.recover(finding) == Lost(Miss.CHANGED, "src/settings.py")


def test_a_repository_that_is_gone_or_a_key_seen_only_on_stdin_is_lost(tmp_path: Path) -> None:
    key = make_key("recover-gone")
    repo = init_repo(tmp_path / "gone")
    commit_file(repo, "a.env", f"K={key}\n")
    swept = _finding(_sweep(tmp_path, repo), key)
    shutil.rmtree(repo)
    with Recoverer([tmp_path]) as recoverer:
        lost = recoverer.recover(swept)
    assert lost == Lost(Miss.GONE, f"{repo}:a.env")

    out = tmp_path / "stdin.json"
    done = run_keyguard("scan", "-", "--format", "json", "-o", out, cwd=tmp_path, stdin=key)
    assert done.returncode == 1, done.stderr
    with Recoverer([tmp_path]) as recoverer:
        assert recoverer.recover(_finding(load(out), key)) == Lost(Miss.NO_PLACE)
