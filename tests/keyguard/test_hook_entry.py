"""The hook entry point in-process: fails closed and stays lean."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from keyguard.hook import main
from tests.support.archives import cut_tgz
from tests.support.keys import make_key

CHECKOUT = Path(__file__).resolve().parents[2]


def test_missing_baseline_fails_closed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "a.py"
    clean.write_text("x = 1\n")
    assert main(["--baseline", str(tmp_path / "absent.baseline"), str(clean)]) == 2
    assert "baseline" in capsys.readouterr().err


def test_unreadable_file_fails_closed(tmp_path: Path) -> None:
    assert main([str(tmp_path / "vanished.py")]) == 3


def test_key_blocks_with_exit_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = make_key("entry")
    f = tmp_path / "k.env"
    f.write_text(f"K={key}\n")
    assert main([str(f)]) == 1
    out = capsys.readouterr().out
    assert f"{f}:1:3: Klaviyo private API key pk_…{key[-4:]}" in out
    assert key not in out


def test_hook_import_path_is_lean() -> None:
    code = (
        "import sys, keyguard.hook; "
        "heavy = {'rich', 'click', 'httpx', 'hvac', 'detect_secrets', 'git'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=CHECKOUT, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == "[]"


def test_a_damaged_file_does_not_block_a_commit_but_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = tmp_path / "cut.tgz"
    fixture.write_bytes(cut_tgz({"a.txt": b"a\n", "rand": b"r" * 3000}))
    assert main([str(fixture)]) == 0
    err = capsys.readouterr().err
    assert f"keyguard: note: {fixture}: truncated gzip stream; scanned the " in err
