"""A sweep's keys found again from its record of where they were, one git process."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from scanner.detect.options import DetectOptions
from scanner.remote.rebuild import key_hits, new_blobs, still_reached
from scanner.sweep import SweepOptions, sweep_target
from tests.support.archives import zip_of
from tests.support.git import commit_file, git, init_repo
from tests.support.keys import make_key


def swept_bare(tmp_path: Path) -> Path:
    work = init_repo(tmp_path / "work")
    commit_file(work, "config.py", f"KEY = '{make_key('rebuild-plain')}'\n")
    commit_file(work, "same.py", f"KEY = '{make_key('rebuild-plain')}'\n")  # one blob, two paths
    member = f"const k = '{make_key('rebuild-zip')}';\n".encode()
    (work / "bundle.zip").write_bytes(zip_of({"assets/app.js": member}))
    git(work, "add", "bundle.zip")
    git(work, "commit", "-q", "-m", "bundle")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return bare


def test_keys_come_back_exactly_where_the_sweep_found_them(tmp_path: Path) -> None:
    bare = swept_bare(tmp_path)
    swept = sweep_target(bare, SweepOptions())
    assert len(swept.hits) == 3
    assert any("!/assets/app.js" in o.path for _, o in swept.hits)
    places = [o for _, o in swept.hits]
    assert key_hits(bare, places, DetectOptions()) == swept.hits


def test_anything_not_found_as_recorded_is_none(tmp_path: Path) -> None:
    bare = swept_bare(tmp_path)
    places = [o for _, o in sweep_target(bare, SweepOptions()).hits]
    assert places[0].provenance is not None
    gone = dataclasses.replace(
        places[0], provenance=dataclasses.replace(places[0].provenance, blob="0" * 40)
    )
    assert key_hits(bare, [gone, *places[1:]], DetectOptions()) is None
    moved = dataclasses.replace(places[0], column=places[0].column + 1)
    assert key_hits(bare, [moved], DetectOptions()) is None
    assert key_hits(bare, [], DetectOptions()) is None


def test_what_is_new_since_a_sweep_and_whether_history_was_only_added_to(
    tmp_path: Path,
) -> None:
    repo = init_repo(tmp_path / "repo")
    old = commit_file(repo, "a.txt", "a\n")
    commit_file(repo, "docs/b.txt", "b\n")
    assert new_blobs(repo, [old]) == {
        git(repo, "rev-parse", "HEAD:docs/b.txt").strip(): "docs/b.txt"
    }
    head = git(repo, "rev-parse", "HEAD").strip()
    assert still_reached(repo, [old], [head])
    git(repo, "reset", "-q", "--hard", old)
    commit_file(repo, "c.txt", "c\n")  # the history that held b.txt is rewritten away
    now = git(repo, "rev-parse", "HEAD").strip()
    assert not still_reached(repo, [head], [now])
    assert new_blobs(repo, ["0" * 40]) is None  # a commit git does not hold: it cannot tell
