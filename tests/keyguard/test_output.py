"""The output seam, driven through real commands: where reports go and what they may hold."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.detect_secrets_cli import REPO_ROOT
from tests.support.git import init_repo
from tests.support.keyguard_cli import run_keyguard, run_keyguard_process
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


def test_a_key_given_where_a_path_or_revision_belongs_is_never_echoed(tmp_path: Path) -> None:
    # A keys file passed to --targets-from by mistake: each line becomes an unreadable
    # "target" whose name the report repeats, in the error list and the summary table.
    key, other = make_key("echoed-target"), make_key("echoed-since", prefixed=True)
    (tmp_path / "keys.txt").write_text(f"{key}\n")
    init_repo(tmp_path / "repo")
    runs = [
        run_keyguard("sweep", "--targets-from", "keys.txt", cwd=tmp_path),
        run_keyguard("sweep", "--targets-from", "keys.txt", "--format", "json", cwd=tmp_path),
        run_keyguard("sweep", "--targets-from", "keys.txt", "--format", "sarif", cwd=tmp_path),
        run_keyguard("scan", f"x={key}", cwd=tmp_path),
        run_keyguard("sweep", "repo", "--since", other, cwd=tmp_path),
    ]
    for proc, code in zip(runs, (3, 3, 3, 3, 2), strict=True):  # a bad --since is usage
        assert proc.returncode == code, proc.stderr
        assert key not in proc.stdout + proc.stderr
        assert other not in proc.stdout + proc.stderr
    assert "pk_…" + key[-4:] in runs[0].stdout


def test_error_lines_never_repeat_a_key_given_as_an_argument(tmp_path: Path) -> None:
    key = make_key("echoed-argument")
    (tmp_path / "keys.txt").write_text(f"{key}\n")
    runs = [
        run_keyguard("audit", key, cwd=tmp_path),  # click: "Path '...' does not exist"
        run_keyguard("merge", key, cwd=tmp_path),
        run_keyguard("sweep", ".", "--shard", key, cwd=tmp_path),
    ]
    for proc in runs:
        assert proc.returncode == 2, proc.stderr
        assert "pk_…" + key[-4:] in proc.stderr
        assert key not in proc.stdout + proc.stderr


def test_a_non_utf8_stdout_gets_a_report_not_a_traceback(tmp_path: Path) -> None:
    # An ASCII-only terminal or pipe (PYTHONIOENCODING, a C locale on old systems): the
    # report's '…' and '●' must not crash the run after the scan did its work.
    (tmp_path / "a.txt").write_text(make_key("ascii-stdout") + "\n")
    for fmt in ("console", "json"):
        proc = run_keyguard_process(  # the interpreter sets up its streams: a real child
            "scan", ".", "--format", fmt, cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"}
        )
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "a.txt" in proc.stdout


def test_a_file_name_that_is_not_utf8_is_reported_not_a_crash(tmp_path: Path) -> None:
    # PYTHONIOENCODING=utf-8 makes stdout strict, as a UTF-8 locale such as en_US.UTF-8
    # does: a file name holding a byte that is not UTF-8 must still be printable.
    (tmp_path / b"bad\xffname.txt".decode("utf-8", "surrogateescape")).write_text(
        make_key("not-utf8-name") + "\n"
    )
    env = {"PYTHONIOENCODING": "utf-8"}
    proc = run_keyguard_process("scan", ".", cwd=tmp_path, env=env)
    hook = subprocess.run(
        [sys.executable, "-m", "keyguard.hook", "bad\udcffname.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)},
        check=False,
    )
    for run in (proc, hook):
        assert run.returncode == 1, run.stderr
        assert "Traceback" not in run.stderr
        assert "name.txt:1:1" in run.stdout
