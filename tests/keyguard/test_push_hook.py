"""The pre-push hook, run the way users run it: ``pre-commit try-repo --hook-stage pre-push``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.git import commit_file, git, git_env, init_repo
from tests.support.keys import make_key

CHECKOUT = Path(__file__).resolve().parents[2]
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("pre-commit-home-push")
    yield home
    shutil.rmtree(home, ignore_errors=True)


def try_push(
    repo: Path, home: Path, from_ref: str, to_ref: str
) -> subprocess.CompletedProcess[str]:
    env = {**git_env(), "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [
            PRE_COMMIT,
            "try-repo",
            str(CHECKOUT),
            "klaviyo-private-key-push",
            "--verbose",
            "--hook-stage",
            "pre-push",
            "--from-ref",
            from_ref,
            "--to-ref",
            to_ref,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_push_hook_blocks_only_keys_in_the_pushed_commits(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    repo = init_repo(tmp_path / "shop")
    old, new = make_key("hook-push-old"), make_key("hook-push-new")
    commit_file(repo, "old.env", f"K={old}\n", "already on the remote")
    remote_tip = git(repo, "rev-parse", "HEAD").strip()
    commit_file(repo, "notes.txt", "clean\n", "clean change")
    clean_tip = git(repo, "rev-parse", "HEAD").strip()
    commit_file(repo, "new.env", f"K={new}\n", "leak")
    commit_file(repo, "new.env", "K=from-vault\n", "deleted again: still in the pushed history")
    leaky_tip = git(repo, "rev-parse", "HEAD").strip()

    blocked = try_push(repo, pre_commit_home, remote_tip, leaky_tip)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "new.env:1:3" in blocked.stdout
    assert "pk_…" + new[-4:] in blocked.stdout
    assert "pk_…" + old[-4:] not in blocked.stdout
    assert new not in blocked.stdout + blocked.stderr
    # Not pushed yet: the advice is to rewrite those commits, not only to delete the file.
    assert "rewrite them without the key" in blocked.stdout
    assert "still at HEAD" not in blocked.stdout

    passed = try_push(repo, pre_commit_home, remote_tip, clean_tip)
    assert passed.returncode == 0, passed.stdout + passed.stderr
