"""Sweeping one target: provenance, work trees, bare and shallow repositories, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.errors import UsageError
from plugins.pattern import fingerprint
from scanner.findings import Occurrence, Provenance
from scanner.git.repository import UnknownRevision
from scanner.sweep import SweepOptions, TargetResult, sweep_target
from tests.support.git import commit_file, git, init_repo
from tests.support.history import build_corners, clone
from tests.support.keys import hex_run, make_key


def by_key(result: TargetResult) -> dict[str, list[Occurrence]]:
    out: dict[str, list[Occurrence]] = {}
    for secret, occurrence in result.hits:
        out.setdefault(secret.reveal(), []).append(occurrence)
    return out


def prov(occurrence: Occurrence) -> Provenance:
    assert occurrence.provenance is not None
    return occurrence.provenance


def test_every_corner_of_history_is_swept_with_its_refs(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "shop")
    result = sweep_target(corners.repo, SweepOptions())
    found = by_key(result)
    assert result.errors == ()
    assert set(found) == set(corners.keys.values())
    refs = {
        label: {r for o in found[key] for r in prov(o).refs} for label, key in corners.keys.items()
    }
    assert "refs/heads/feature" in refs["branch"]
    assert "refs/heads/main" not in refs["branch"]
    assert refs["tag"] == {"refs/tags/v1.0"}
    assert refs["remote"] == {"refs/remotes/origin/old"}
    assert "refs/stash" in refs["stash"]
    assert "refs/notes/commits" in refs["note"]
    assert "refs/heads/main" in refs["deleted"]


def test_provenance_names_the_introducing_commit_and_where_the_key_is_now(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    key, gone = make_key("prov-live"), make_key("prov-gone")
    commit_file(repo, "README", "hi\n", "init")
    introduced = commit_file(repo, "src/settings.py", f"A = 1\nKEY = '{gone}'\n", "oops")
    commit_file(repo, "src/settings.py", "A = 1\n", "remove")
    live_commit = commit_file(repo, "app.py", f"K = '{key}'\n", "live")
    found = by_key(sweep_target(repo, SweepOptions()))
    (old,) = found[gone]
    assert (old.path, old.line, old.column) == ("src/settings.py", 2, 8)
    p = prov(old)
    assert p.commit == introduced
    assert p.author == "Test Author <author@example.invalid>"
    assert p.author_date is not None
    assert p.author_date[:4].isdigit()
    assert p.blob == git(repo, "rev-parse", f"{introduced}:src/settings.py").strip()
    assert p.repository == str(repo)
    assert (p.at_head, p.in_worktree) == (False, False)
    (now,) = found[key]
    assert prov(now).commit == live_commit
    assert (prov(now).at_head, prov(now).in_worktree) == (True, True)


def test_untracked_and_modified_work_tree_files_are_swept(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    commit_file(repo, "tracked.py", "x = 1\n")
    (repo / ".gitignore").write_text("ignored.env\n")
    untracked, modified, ignored = make_key("wt-u"), make_key("wt-m"), make_key("wt-i")
    (repo / "new.env").write_text(f"K={untracked}\n")
    (repo / "tracked.py").write_text(f"x = '{modified}'\n")
    (repo / "ignored.env").write_text(f"K={ignored}\n")
    found = by_key(sweep_target(repo, SweepOptions()))
    assert set(found) == {untracked, modified}
    assert prov(found[untracked][0]).in_worktree
    assert prov(found[untracked][0]).commit is None
    assert by_key(sweep_target(repo, SweepOptions(worktree=False))) == {}


@pytest.mark.parametrize("first_commit", [True, False], ids=["after-commits", "unborn-head"])
def test_staged_content_is_swept_even_before_the_first_commit(
    tmp_path: Path, first_commit: bool
) -> None:
    repo = init_repo(tmp_path / "r")
    if first_commit:
        commit_file(repo, "tracked.py", "x = 1\n")
    staged, later = make_key("wt-staged"), make_key("wt-staged-then-changed")
    (repo / "staged.env").write_text(f"K={staged}\n")
    (repo / "changed.env").write_text(f"K={later}\n")
    git(repo, "add", "staged.env", "changed.env")
    (repo / "changed.env").write_text("K=gone\n")  # the index still holds the key
    result = sweep_target(repo, SweepOptions())
    found = by_key(result)
    assert set(found) == {staged, later}
    assert all(prov(o).in_worktree and prov(o).commit is None for o in found[staged])
    assert [o.path for o in found[later]] == ["changed.env"]
    assert result.stats.files >= 2


def test_unreachable_finds_keys_in_amended_commits(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    key = make_key("amended")
    commit_file(repo, "conf.py", f"K = '{key}'\n", "oops")
    (repo / "conf.py").write_text("K = None\n")
    git(repo, "commit", "-q", "-a", "--amend", "-m", "clean")
    assert by_key(sweep_target(repo, SweepOptions())) == {}
    (occ,) = by_key(sweep_target(repo, SweepOptions(unreachable=True)))[key]
    assert occ.path == "conf.py"  # the reflog still names the amended commit
    assert prov(occ).commit is not None
    git(repo, "reflog", "expire", "--expire=now", "--all")
    (dangling,) = by_key(sweep_target(repo, SweepOptions(unreachable=True)))[key]
    assert prov(dangling).commit is None
    assert "unreachable blob" in dangling.path


def test_bare_repository(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "src")
    bare = clone(corners.repo, tmp_path / "bare.git", "--bare")
    result = sweep_target(bare, SweepOptions())
    assert result.kind == "bare repository"
    found = by_key(result)
    # A clone carries branches and tags; the stash, notes and the remote-tracking ref stay behind.
    assert {corners.keys[k] for k in ("deleted", "head", "branch", "tag")} <= set(found)
    assert corners.keys["stash"] not in found
    head_key = corners.keys["head"]
    assert any(prov(o).at_head for o in found[head_key])
    assert not any(prov(o).in_worktree for o in found[head_key])


def test_shallow_clone_is_swept_with_a_warning(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "src")
    shallow = clone(corners.repo, tmp_path / "shallow", "--depth", "1", "--branch", "main")
    result = sweep_target(shallow, SweepOptions())
    assert result.errors == ()
    assert set(by_key(result)) == {corners.keys["head"]}
    assert any("shallow clone" in w.message for w in result.warnings)


def test_submodules_are_recorded_not_followed(tmp_path: Path) -> None:
    sub = init_repo(tmp_path / "sub")
    sub_key = make_key("in-submodule")
    commit_file(sub, "k.txt", f"{sub_key}\n")
    top = init_repo(tmp_path / "top")
    commit_file(top, "README", "top\n")
    git(top, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    git(top, "commit", "-q", "-m", "add submodule")
    result = sweep_target(top, SweepOptions())
    assert by_key(result) == {}
    assert result.errors == ()
    (note,) = result.warnings
    assert note.path.endswith("vendor/sub")
    assert "not followed" in note.message


def test_since_scans_only_new_history_and_names_an_unknown_revision(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    old, new = make_key("since-old"), make_key("since-new")
    base = commit_file(repo, "a.txt", f"{old}\n")
    commit_file(repo, "b.txt", f"{new}\n")
    assert set(by_key(sweep_target(repo, SweepOptions(since=base)))) == {new}
    with pytest.raises(UnknownRevision, match="unknown revision 'no-such-rev'") as raised:
        sweep_target(repo, SweepOptions(since="no-such-rev"))
    assert str(raised.value).count(str(repo)) == 1


def test_refs_limit_the_history(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "r")
    found = by_key(sweep_target(corners.repo, SweepOptions(refs=("v1.0",))))
    assert corners.keys["tag"] in found
    assert corners.keys["branch"] not in found


def test_unreachable_with_since_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        SweepOptions(unreachable=True, since="HEAD")


def test_a_corrupt_pack_is_an_error_not_a_crash(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    for i in range(30):
        commit_file(repo, f"f{i}.txt", hex_run(f"corrupt-{i}", 4000) + "\n")
    git(repo, "repack", "-q", "-a", "-d")
    (pack,) = (repo / ".git" / "objects" / "pack").glob("*.pack")
    pack.chmod(0o644)
    data = bytearray(pack.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64
    pack.write_bytes(bytes(data))
    for options in (SweepOptions(), SweepOptions(unreachable=True)):
        result = sweep_target(repo, options)
        (error,) = result.errors
        assert "corrupt" in error.message
        # Only the damaged object is lost: the sweep starts again just past it.
        assert result.stats.blobs == 29


def test_missing_and_plain_targets(tmp_path: Path) -> None:
    missing = sweep_target(tmp_path / "nope", SweepOptions())
    assert missing.kind == "unreadable"
    assert missing.errors[0].message == "no such file or directory"
    plain = tmp_path / "plain"
    plain.mkdir()
    key = make_key("plain-dir")
    (plain / "x.cfg").write_text(f"k={key}\n")
    result = sweep_target(plain, SweepOptions())
    assert result.kind == "directory"
    ((secret, occurrence),) = result.hits
    assert secret.fingerprint == fingerprint(key)
    assert occurrence.provenance is None


def test_missing_git_still_sweeps_directories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = init_repo(tmp_path / "r")
    key = make_key("no-git")
    (repo / "a.txt").write_text(key)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = sweep_target(repo, SweepOptions())
    assert [s.reveal() for s, _ in result.hits] == [key]
    assert any("git was not found" in e.message for e in result.errors)


def test_a_blob_too_big_to_hold_is_streamed_and_still_positioned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.git import objects as gitobjects

    monkeypatch.setattr(gitobjects, "WHOLE_BLOB_LIMIT", 1024)
    repo = init_repo(tmp_path / "r")
    key = make_key("huge-blob")
    filler = "".join(f"line {i} of a generated bundle\n" for i in range(3000))
    commit_file(repo, "dist/bundle.js", f"{filler}var k='{key}';\n{filler}")
    (occurrence,) = by_key(sweep_target(repo, SweepOptions()))[key]
    assert (occurrence.path, occurrence.line, occurrence.column) == ("dist/bundle.js", 3001, 8)


def test_missing_objects_are_counted_and_every_other_blob_is_swept(tmp_path: Path) -> None:
    # A snapshot without its large blobs, or a partial clone: history names objects the
    # store lacks. The walk must go past them and read every blob that is there.
    repo = init_repo(tmp_path / "r")
    keys = [make_key(f"gap-{i}") for i in range(3)]
    commit_file(repo, "first.env", f"KEY={keys[0]}\n")
    commit_file(repo, "gone.bin", "this blob will be lost\n")
    commit_file(repo, "later.env", f"KEY={keys[1]}\n")
    commit_file(repo, "last.js", f'const k = "{keys[2]}";\n')
    lost = git(repo, "rev-parse", "HEAD~1:gone.bin").strip()
    (repo / ".git" / "objects" / lost[:2] / lost[2:]).unlink()
    result = sweep_target(repo, SweepOptions(worktree=False))
    assert set(by_key(result)) == set(keys)
    missing = [e.message for e in result.errors if "missing" in e.message]
    assert len(missing) == 1
    assert missing[0].startswith("1 object(s)")
