"""The output seam, driven through real commands: where reports go and what they may hold."""

from __future__ import annotations

from pathlib import Path

from tests.support.keyguard_cli import run_keyguard
from tests.support.keys import make_key


def test_an_unwritable_output_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(make_key("unwritable-output") + "\n")
    missing = tmp_path / "no-such-dir" / "report.json"
    for command in (["scan", "."], ["scan", ".", "--format", "json"], ["sweep", "."]):
        proc = run_keyguard(*command, "-o", missing, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stderr.count("\n") == 1
        assert f"cannot write {missing}" in proc.stderr
