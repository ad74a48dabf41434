"""History sweeps open what was committed: an app bundle zipped years ago, a bomb noted."""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

from scanner.sweep import SweepOptions, sweep_target
from tests.support.archives import cut_tgz, zip_of
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


def _cut_tgz(key: str) -> bytes:
    return cut_tgz(
        {
            "package/package.json": f'{{"token": "{key}"}}\n'.encode(),
            "package/rand": os.urandom(3000),
        }
    )


def _blob(repo: Path, path: str) -> str:
    return git(repo, "rev-parse", f"HEAD:{path}").strip()


def test_a_damaged_fixture_is_one_warning_and_a_bomb_stays_an_error(tmp_path: Path) -> None:
    key = make_key("sweep-cut-tgz")
    repo = init_repo(tmp_path / "shop")
    fixtures = repo / "node_modules/tar/test"
    fixtures.mkdir(parents=True)
    (fixtures / "cb-never-called-1.0.1.tgz").write_bytes(_cut_tgz(key))
    (repo / "bomb.zip").write_bytes(zip_of({"zeros.bin": b"\0" * (64 << 20)}))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "vendor")
    result = sweep_target(repo, SweepOptions(), remember=True)
    fixture = "node_modules/tar/test/cb-never-called-1.0.1.tgz"
    assert [(s.reveal(), o.path) for s, o in result.hits] == [
        (key, f"{fixture}!/package/package.json")
    ]
    assert [w.path for w in result.warnings] == [fixture]  # one line for the one blob
    assert result.warnings[0].message.startswith("truncated gzip stream; scanned the ")
    assert [(e.path, "decompression bomb" in e.message) for e in result.errors] == [
        ("bomb.zip", True)
    ]
    # The bomb was not read in full: a scan cache must not skip it next time, and the
    # next sweep says so again.
    assert _blob(repo, "bomb.zip") not in result.clean_blobs
    again = sweep_target(repo, SweepOptions(), cache=frozenset(result.clean_blobs))
    assert [e.path for e in again.errors] == ["bomb.zip"]


def test_work_tree_archives_keep_their_notes(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "shop")
    (repo / "README").write_text("shop\n")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "start")
    # Untracked: a bomb, left unread, and a zip and a gzip cut short, read as far as they
    # go. Their notes used to be dropped in the work tree.
    (repo / "bomb.zip").write_bytes(zip_of({"zeros.bin": b"\0" * (64 << 20)}))
    packed = zip_of({"a.js": b"var a = 1;\n" * 50}, method=zipfile.ZIP_DEFLATED)
    (repo / "release.zip").write_bytes(packed[: packed.rindex(b"PK\x01\x02")])
    (repo / "app.js.gz").write_bytes(gzip.compress(b"var b = 2;\n" * 50)[:-20])
    result = sweep_target(repo, SweepOptions())
    assert [e.path for e in result.errors] == ["bomb.zip"]
    assert "decompression bomb" in result.errors[0].message
    assert [w.path for w in result.warnings] == ["app.js.gz", "release.zip"]


def test_damage_read_around_is_said_again_by_a_sweep_that_trusts_a_scan_cache(
    tmp_path: Path,
) -> None:
    repo = init_repo(tmp_path / "shop")
    (repo / "fixture.tgz").write_bytes(cut_tgz({"package/rand": os.urandom(3000)}))
    (repo / "plain.txt").write_text("nothing here\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "vendor")
    first = sweep_target(repo, SweepOptions(), remember=True)
    assert [w.path for w in first.warnings] == ["fixture.tgz"]
    assert first.noted_blobs == ((_blob(repo, "fixture.tgz"), "fixture.tgz"),)
    assert first.clean_blobs == (_blob(repo, "plain.txt"),)  # the damaged one is not clean
    again = sweep_target(repo, SweepOptions(), cache=frozenset(first.clean_blobs))
    assert again.warnings == first.warnings
    assert (again.stats.blobs, again.stats.cached) == (1, 1)
