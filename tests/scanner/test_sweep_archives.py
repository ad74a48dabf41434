"""History sweeps open what was committed: an app bundle zipped years ago, a bomb noted."""

from __future__ import annotations

from pathlib import Path

from scanner.sweep import SweepOptions, sweep_target
from tests.support.archives import zip_of
from tests.support.git import git, init_repo
from tests.support.keys import make_key


def test_archives_in_history_are_opened_and_bombs_noted(tmp_path: Path) -> None:
    key = make_key("sweep-archive")
    repo = init_repo(tmp_path / "repo")
    (repo / "release.apk").write_bytes(
        zip_of({"assets/index.android.bundle": f'var k="{key}";'.encode()})
    )
    (repo / "bomb.zip").write_bytes(zip_of({"zeros.bin": b"\0" * (64 << 20)}))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "release")
    git(repo, "rm", "-q", "release.apk", "bomb.zip")
    git(repo, "commit", "-q", "-m", "remove")
    result = sweep_target(repo, SweepOptions(), cache=frozenset(), remember=False)
    assert [(s.reveal(), o.path) for s, o in result.hits] == [
        (key, "release.apk!/assets/index.android.bundle")
    ]
    assert [e.path for e in result.errors] == ["bomb.zip"]
    assert "decompression bomb" in result.errors[0].message
