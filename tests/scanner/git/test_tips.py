"""A repository's refs read in-process, and the digest that says it moved."""

from __future__ import annotations

from pathlib import Path

import git as gitpython

from scanner.git.tips import read_refs, ref_state
from tests.support.git import commit_file, git, init_repo


def test_refs_are_read_as_git_reads_them_packed_or_loose(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "one\n")
    git(repo, "tag", "-a", "v1", "-m", "tag")
    git(repo, "branch", "feature")
    expected = {r.path: r.object.hexsha for r in gitpython.Repo(repo).references}
    assert read_refs(repo / ".git") == expected
    before = ref_state(repo)
    git(repo, "pack-refs", "--all")
    assert read_refs(repo / ".git") == expected
    assert ref_state(repo) == before  # where git keeps a ref is no change


def test_the_state_moves_with_a_ref_or_head(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "one\n")
    first = ref_state(repo)
    commit_file(repo, "a.txt", "two\n")
    second = ref_state(repo)
    assert second != first
    git(repo, "checkout", "-q", "-b", "other")
    assert ref_state(repo) != second
    bare = tmp_path / "b.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert ref_state(bare) is not None


def test_a_linked_work_tree_reads_the_common_refs(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "one\n")
    git(repo, "worktree", "add", "-q", str(tmp_path / "linked"), "-b", "side")
    before = ref_state(tmp_path / "linked")
    commit_file(tmp_path / "linked", "b.txt", "two\n")
    assert ref_state(tmp_path / "linked") != before


def test_no_repository_no_state(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    assert ref_state(tmp_path / "plain") is None
