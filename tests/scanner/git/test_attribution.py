"""Attribution: the commit, path and author that introduced each matched blob."""

from __future__ import annotations

from pathlib import Path

from scanner.git.attribution import head_tree, introductions
from scanner.git.repository import open_repository
from tests.support.git import commit_file, git, init_repo


def test_each_path_a_blob_appeared_under_gets_its_first_commit(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    first = commit_file(repo, "a/settings.py", "same content\n", "add")
    copied = commit_file(repo, "b/copy.py", "same content\n", "copy")
    commit_file(repo, "c/again.py", "same content\n", "copy again")
    info = open_repository(repo)
    assert info is not None
    blob = git(repo, "rev-parse", "HEAD:a/settings.py").strip()
    found = introductions(info, {blob}, ("--all",))
    assert [(i.path, i.commit) for i in found[blob]][:2] == [
        ("a/settings.py", first),
        ("b/copy.py", copied),
    ]
    assert len(found[blob]) == 3


def test_a_key_added_while_merging_is_attributed_to_the_merge(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "README", "base\n")
    git(repo, "checkout", "-q", "-b", "side")
    commit_file(repo, "side.txt", "side\n")
    git(repo, "checkout", "-q", "main")
    commit_file(repo, "main.txt", "main\n")
    git(repo, "merge", "-q", "--no-commit", "side")
    (repo / "resolved.txt").write_text("written during the merge\n")
    git(repo, "add", "resolved.txt")
    git(repo, "commit", "-q", "-m", "merge side")
    merge = git(repo, "rev-parse", "HEAD").strip()
    info = open_repository(repo)
    assert info is not None
    blob = git(repo, "rev-parse", "HEAD:resolved.txt").strip()
    (intro,) = introductions(info, {blob}, ("--all",))[blob]
    assert (intro.commit, intro.path) == (merge, "resolved.txt")
    assert blob in head_tree(info).blobs
