"""The pre-commit hook, run the way users run it: the real ``pre-commit`` in a real repository."""

from __future__ import annotations

import subprocess
from pathlib import Path

from plugins.pattern import baseline_hash
from tests.support.git import git, init_repo
from tests.support.keys import make_key
from tests.support.pre_commit import HookRepo


def try_repo(
    repo: Path, hooks: HookRepo, *args: str, hook: str | None = "klaviyo-private-key"
) -> subprocess.CompletedProcess[str]:
    """What ``pre-commit try-repo`` of this checkout runs: one hook, or every hook when
    *hook* is None (with the session's one hook environment: see tests.support.pre_commit)."""
    return hooks.run(repo, "--verbose", *args, hooks=[hook] if hook else None)


def test_blocks_a_staged_key_and_names_its_place(tmp_path: Path, hook_repo: HookRepo) -> None:
    repo = init_repo(tmp_path / "shop")
    key = make_key("hook-staged")
    (repo / "settings.py").write_text(f"DEBUG = True\nKLAVIYO_KEY = '{key}'\n")
    git(repo, "add", "settings.py")
    proc = try_repo(repo, hook_repo)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"settings.py:2:16: Klaviyo private API key pk_…{key[-4:]}" in proc.stdout
    assert "keyguard rotate" in proc.stdout
    assert key not in proc.stdout + proc.stderr


def test_passes_a_clean_commit(tmp_path: Path, hook_repo: HookRepo) -> None:
    repo = init_repo(tmp_path / "clean")
    (repo / "app.py").write_text("print('no secrets here')\n")
    git(repo, "add", "app.py")
    proc = try_repo(repo, hook_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_passes_an_allowlisted_key(tmp_path: Path, hook_repo: HookRepo) -> None:
    repo = init_repo(tmp_path / "allow")
    key = make_key("hook-allow")
    (repo / "fixture.py").write_text(f"KEY = '{key}'  # pragma: allowlist secret\n")
    git(repo, "add", "fixture.py")
    proc = try_repo(repo, hook_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_passes_a_baselined_key_but_blocks_a_new_one(tmp_path: Path, hook_repo: HookRepo) -> None:
    repo = init_repo(tmp_path / "baselined")
    known, new = make_key("hook-known"), make_key("hook-new")
    baseline = (
        '{"version": "1.5.0", "plugins_used": [], "filters_used": [], "results": '
        f'{{"old.py": [{{"type": "Klaviyo Private API Key", "filename": "old.py", '
        f'"hashed_secret": "{baseline_hash(known)}", "is_verified": false, "line_number": 1}}]}}}}'
    )
    (repo / ".secrets.baseline").write_text(baseline)
    (repo / "moved.py").write_text(f"\n\n\nKEY = '{known}'\n")
    git(repo, "add", "moved.py", ".secrets.baseline")
    # --baseline reaches the hook through `args:` in the user's config, as in real use.
    proc = _run_with_baseline(repo, hook_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (repo / "fresh.py").write_text(f"KEY = '{new}'\n")
    git(repo, "add", "fresh.py")
    proc = _run_with_baseline(repo, hook_repo)
    assert proc.returncode == 1
    assert "fresh.py:1:8" in proc.stdout
    assert "moved.py" not in proc.stdout


def _run_with_baseline(repo: Path, hooks: HookRepo) -> subprocess.CompletedProcess[str]:
    return hooks.run(
        repo, hooks=["klaviyo-private-key"], hook_args=["--baseline", ".secrets.baseline"]
    )


def test_the_commit_hook_does_not_run_at_pre_push(tmp_path: Path, hook_repo: HookRepo) -> None:
    repo = init_repo(tmp_path / "pushing")
    (repo / "README.md").write_text("# shop\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "init")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "settings.py").write_text(f"KLAVIYO_KEY = '{make_key('hook-stage')}'\n")
    git(repo, "add", "settings.py")
    git(repo, "commit", "-q", "-m", "leak")
    tip = git(repo, "rev-parse", "HEAD").strip()
    refs = ("--from-ref", base, "--to-ref", tip)
    # Every hook of the repository, as a user's config lists both: at pre-push only the
    # -push one runs (it blocks this push), not the file-content hook a second time.
    proc = try_repo(repo, hook_repo, "--hook-stage", "pre-push", *refs, hook=None)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    ran = [line for line in proc.stdout.splitlines() if line.startswith("Klaviyo private API key")]
    assert len(ran) == 1, proc.stdout
    assert ran[0].startswith("Klaviyo private API key (commits being pushed)")
    at_commit = try_repo(repo, hook_repo, "--hook-stage", "pre-commit", *refs)
    assert at_commit.returncode == 1, at_commit.stdout + at_commit.stderr
