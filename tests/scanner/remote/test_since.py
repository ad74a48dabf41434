"""What a sweep of a mirror that moved reads: the new blobs and those that held keys or
warned when history was only added to, the listing minus what was read clean when it
was rewritten, everything when neither is certain."""

from __future__ import annotations

from pathlib import Path

from scanner.git.tips import read_refs
from scanner.remote.record import Swept
from scanner.remote.since import AllBut, plan_since
from scanner.stores.checkpoint import Finished
from scanner.sweep import SweepOptions, SweepStats
from tests.support.git import commit_file, git, init_repo


def refs(repo: Path) -> dict[str, str]:
    return read_refs(repo / ".git") or {}


def last_sweep(repo: Path, blobs: int) -> Swept:
    tips = frozenset(refs(repo).values())
    entry = Finished("github:acme/shop", "mirror", None, SweepStats(blobs=blobs), 0, (), (), (), ())
    return Swept(entry, tips)


def test_history_only_added_to_is_read_without_a_listing(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    commit_file(repo, "a.txt", "a\n")
    commit_file(repo, "b.txt", "b\n")
    last = last_sweep(repo, 2)
    commit_file(repo, "src/new.js", "new\n")
    since = plan_since(repo / ".git", last, SweepOptions(), frozenset(), refs(repo))
    new = git(repo, "rev-parse", "HEAD:src/new.js").strip()
    assert since.blobs == {new: "src/new.js"}
    assert since.known == 2  # the last sweep's blobs, taken as read


def test_a_rewritten_history_is_listed_and_what_was_read_clean_skipped(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    first = commit_file(repo, "a.txt", "a\n")
    commit_file(repo, "b.txt", "b\n")
    last = last_sweep(repo, 2)
    git(repo, "reset", "-q", "--hard", first)
    commit_file(repo, "c.txt", "c\n")
    since = plan_since(repo / ".git", last, SweepOptions(), frozenset(), refs(repo))
    assert since.blobs is None
    assert isinstance(since.skip, AllBut)
    new = git(repo, "rev-parse", "HEAD:c.txt").strip()
    assert new not in since.skip  # read
    assert git(repo, "rev-parse", "HEAD:a.txt").strip() in since.skip  # read clean before


def test_a_narrowed_sweep_or_a_gone_commit_reads_everything(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    commit_file(repo, "a.txt", "a\n")
    last = last_sweep(repo, 1)
    commit_file(repo, "b.txt", "b\n")
    cache = frozenset({"f" * 40})
    narrowed = plan_since(repo / ".git", last, SweepOptions(since="HEAD~1"), cache, refs(repo))
    assert (narrowed.skip, narrowed.blobs) == (cache, None)
    gone = Swept(last.entry, frozenset({"0" * 40}))
    assert plan_since(repo / ".git", gone, SweepOptions(), cache, refs(repo)).skip == cache
