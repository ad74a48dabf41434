"""The pre-push hook, run the way users run it: ``pre-commit run --hook-stage pre-push``."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.git import commit_file, git, init_repo
from tests.support.keys import make_key
from tests.support.pre_commit import HookRepo


def try_push(
    repo: Path, hooks: HookRepo, from_ref: str, to_ref: str
) -> subprocess.CompletedProcess[str]:
    return hooks.run(
        repo,
        "--verbose",
        "--hook-stage",
        "pre-push",
        "--from-ref",
        from_ref,
        "--to-ref",
        to_ref,
        hooks=["klaviyo-private-key-push"],
    )


def test_push_hook_blocks_only_keys_in_the_pushed_commits(
    tmp_path: Path, hook_repo: HookRepo
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

    blocked = try_push(repo, hook_repo, remote_tip, leaky_tip)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "new.env:1:3" in blocked.stdout
    assert "pk_…" + new[-4:] in blocked.stdout
    assert "pk_…" + old[-4:] not in blocked.stdout
    assert new not in blocked.stdout + blocked.stderr
    # Not pushed yet: the advice is to rewrite those commits, not only to delete the file.
    assert "rewrite them without the key" in blocked.stdout
    assert "still at HEAD" not in blocked.stdout

    passed = try_push(repo, hook_repo, remote_tip, clean_tip)
    assert passed.returncode == 0, passed.stdout + passed.stderr
