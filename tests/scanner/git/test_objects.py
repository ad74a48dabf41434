"""The blob stream: every reachable blob once, cached blobs skipped, big blobs streamed."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.git import objects as gitobjects
from scanner.git.command import GitError
from scanner.git.objects import BlobStream, Selection
from scanner.git.repository import open_repository, resolve_commit
from tests.support.git import commit_file, git, init_repo
from tests.support.history import build_corners


def blobs_of(repo: Path, *, unreachable: bool = False) -> dict[str, bytes]:
    info = open_repository(repo)
    assert info is not None
    out = {}
    for blob in BlobStream(info, Selection(unreachable=unreachable)):
        assert blob.oid not in out, "a blob was read twice"
        assert blob.data is not None
        out[blob.oid] = blob.data
    return out


def test_each_unique_blob_is_read_once_whatever_its_paths(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "same\n")
    commit_file(repo, "b/a-copy.txt", "same\n")
    commit_file(repo, "a.txt", "changed\n")
    blobs = blobs_of(repo)
    assert sorted(blobs.values()) == [b"changed\n", b"same\n"]


def test_every_ref_kind_is_reached(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "r")
    text = b"".join(blobs_of(corners.repo).values())
    missing = [label for label, key in corners.keys.items() if key.encode() not in text]
    assert missing == []


def test_reflog_only_objects_need_unreachable(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "first draft with secret\n")
    (repo / "a.txt").write_text("clean\n")
    git(repo, "commit", "-q", "-a", "--amend", "-m", "amended")
    git(repo, "reflog", "expire", "--expire=now", "--all")
    reachable = b"".join(blobs_of(repo).values())
    everything = b"".join(blobs_of(repo, unreachable=True).values())
    assert b"first draft" not in reachable
    assert b"first draft" in everything


def test_cached_blobs_are_not_read(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "one\n")
    commit_file(repo, "b.txt", "two\n")
    info = open_repository(repo)
    assert info is not None
    first = git(repo, "rev-parse", "HEAD:a.txt").strip()
    for unreachable in (False, True):
        stream = BlobStream(info, Selection(unreachable=unreachable), skip={first})
        seen = [b.data for b in stream]
        assert seen == [b"two\n"]
        assert stream.skipped == 1


def test_big_blobs_are_streamed_in_bounded_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitobjects, "WHOLE_BLOB_LIMIT", 10)
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "big.txt", "x" * 1000 + "\n")
    commit_file(repo, "small.txt", "tiny\n")
    info = open_repository(repo)
    assert info is not None
    got = {}
    for blob in BlobStream(info, Selection()):
        if blob.data is None:
            assert blob.read is not None
            got[blob.path] = blob.read(100)  # read only part: the rest must be skipped
        else:
            got[blob.path] = blob.data
    assert got == {"big.txt": b"x" * 100, "small.txt": b"tiny\n"}


def test_the_first_path_of_each_blob_rides_along(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "dir/name with space.txt", "hello\n")
    info = open_repository(repo)
    assert info is not None
    assert [b.path for b in BlobStream(info, Selection())] == ["dir/name with space.txt"]


def test_a_plain_directory_is_not_a_repository(tmp_path: Path) -> None:
    assert open_repository(tmp_path) is None


def test_an_unknown_revision_is_named(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "a.txt", "a\n")
    info = open_repository(repo)
    assert info is not None
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        resolve_commit(info, "nope")
    with pytest.raises(GitError, match="not a revision"):
        resolve_commit(info, "--all")


@pytest.mark.parametrize("unreachable", [False, True])
def test_several_streams_read_the_same_blobs_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unreachable: bool
) -> None:
    monkeypatch.setattr(gitobjects, "SPLIT_MIN", 0)
    repo = init_repo(tmp_path / "r")
    for i in range(12):
        commit_file(repo, f"f{i % 5}.txt", f"version {i}\n")
    info = open_repository(repo)
    assert info is not None
    selection = Selection(unreachable=unreachable)
    one = sorted((b.oid, b.data) for b in BlobStream(info, selection))
    seen: list[tuple[str, bytes | None]] = []
    BlobStream(info, selection).scan(lambda b: seen.append((b.oid, b.data)), streams=3)
    assert sorted(seen) == one
    assert len(one) == 12


def test_very_large_listings_drop_paths_but_not_blobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corners = build_corners(tmp_path / "r")
    with_paths = blobs_of(corners.repo)
    monkeypatch.setattr(gitobjects, "PATHS_UPTO", 0)
    info = open_repository(corners.repo)
    assert info is not None
    blobs = list(BlobStream(info, Selection()))
    assert {b.oid: b.data for b in blobs} == with_paths
    assert {b.path for b in blobs} == {""}
