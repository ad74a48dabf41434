"""Keys inside binary files: compiled Python, SQLite, ELF-like and dex-like blobs, UTF-16."""

from __future__ import annotations

import py_compile
import sqlite3
from pathlib import Path

import pytest

from scanner.scan import scan_paths, scan_staged
from scanner.sweep import SweepOptions, sweep_target
from tests.support.git import git, init_repo
from tests.support.keys import make_key


def _binaries(folder: Path) -> dict[str, str]:
    """Write one binary file of each kind, each holding its own key; name -> key."""
    keys = {name: make_key(f"binary-{name}") for name in ("mod.pyc", "shop.db", "app.elf")}
    keys |= {name: make_key(f"binary-{name}") for name in ("classes.dex", "strings.u16")}
    src = folder / "mod.py"
    src.write_text(f'KEY = "{keys["mod.pyc"]}"\n')
    py_compile.compile(str(src), cfile=str(folder / "mod.pyc"), doraise=True)
    src.unlink()
    with sqlite3.connect(folder / "shop.db") as db:
        db.execute("create table settings (name text, value text)")
        db.execute("insert into settings values ('klaviyo', ?)", (keys["shop.db"],))
    db.close()
    elf = b"\x7fELF\x02\x01\x01" + bytes(200) + keys["app.elf"].encode() + b"\x00" + bytes(64)
    (folder / "app.elf").write_bytes(elf)
    dex = b"dex\n035\x00" + bytes(96) + bytes([37]) + keys["classes.dex"].encode() + b"\x00"
    (folder / "classes.dex").write_bytes(dex + bytes(range(256)))
    u16 = bytes(range(32)) + keys["strings.u16"].encode("utf-16-le") + b"\x00\x00\x01\x02"
    (folder / "strings.u16").write_bytes(u16 + bytes(range(256)))
    return keys


def _by_name(paths: list[str], keys: list[str]) -> dict[str, str]:
    return {Path(p).name: k for p, k in zip(paths, keys, strict=True)}


def test_scan_reads_binary_files_and_counts_them(tmp_path: Path) -> None:
    keys = _binaries(tmp_path)
    result = scan_paths([tmp_path])
    seen = {Path(o.path).name: f.secret.reveal() for f in result.findings for o in f.occurrences}
    assert seen == keys
    assert result.stats.binary == len(keys)
    assert result.errors == ()


def test_sweep_and_the_index_read_binary_blobs(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "r")
    keys = _binaries(repo)
    git(repo, "add", "-A")
    staged = scan_staged(repo)
    assert {Path(o.path).name for f in staged.findings for o in f.occurrences} == set(keys)
    git(repo, "commit", "-q", "-m", "binaries")
    swept = sweep_target(repo, SweepOptions(worktree=False))
    assert {s.reveal() for s, _ in swept.hits} == set(keys.values())
    assert swept.stats.binary == len(keys)  # counted, not skipped


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_key_in_a_binary_file_has_its_byte_offset(tmp_path: Path, codec: str) -> None:
    key = make_key(f"offset-{codec}")
    head = b"\x00\x01\x02\x03" * 10
    (tmp_path / "blob.bin").write_bytes(head + key.encode(codec) + bytes(range(256)))
    [finding] = scan_paths([tmp_path]).findings
    [occurrence] = finding.occurrences
    assert finding.secret.reveal() == key
    assert occurrence.encoding == codec
    assert occurrence.byte_column - 1 == len(head)
