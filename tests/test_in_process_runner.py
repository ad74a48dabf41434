"""The in-process runner the command tests use gives what a child process gives."""

from __future__ import annotations

import gc
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.support.git import commit_file, git_env, init_repo
from tests.support.in_process import NeedsAChildProcess, run_keyguard_in_process
from tests.support.keyguard_cli import run_keyguard_process
from tests.support.keys import make_key


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (["scan", "."], ""),
        (["scan", ".", "--format", "json"], ""),
        (["scan", "--staged"], ""),  # outside a repository: one usage line on stderr
        (["scan", "-", "--format", "jsonl"], "x\nK={key}\n"),
        (["sweep", "a", "b", "--format", "json"], ""),  # two targets: a worker pool
        (["sweep", "--help"], ""),  # wrapped at 80 columns: no terminal
        (["verify"], ""),
        (["no-such-command"], ""),
    ],
)
def test_same_exit_code_and_output_as_a_child(tmp_path: Path, args: list[str], stdin: str) -> None:
    key = make_key("runner")
    (tmp_path / "k.env").write_text(f"K={key}\n")
    for name in ("a", "b"):
        commit_file(init_repo(tmp_path / name), "k.env", f"K={make_key(name)}\n")
    env = {k: v for k, v in git_env().items() if k != "COLUMNS"}
    child = run_keyguard_process(*args, cwd=tmp_path, stdin=stdin.format(key=key), env=env)
    here = run_keyguard_in_process(args, cwd=tmp_path, stdin=stdin.format(key=key), env=env)
    assert (here.returncode, here.stdout, here.stderr) == (
        child.returncode,
        child.stdout.replace("python -m keyguard.main", "keyguard"),
        child.stderr.replace("python -m keyguard.main", "keyguard"),
    )


def test_the_test_process_is_left_as_it_was(tmp_path: Path) -> None:
    before = (
        dict(os.environ),
        os.getcwd(),
        (sys.stdin, sys.stdout, sys.stderr),
        list(sys.argv),
        sys.modules["__main__"],
        signal.getsignal(signal.SIGTERM),
        gc.get_threshold(),
    )
    proc = run_keyguard_in_process(
        ["scan", "."], cwd=tmp_path, env={**os.environ, "KEYGUARD_RUNNER_PROBE": "1"}
    )
    assert proc.returncode == 0, proc.stderr
    after = (
        dict(os.environ),
        os.getcwd(),
        (sys.stdin, sys.stdout, sys.stderr),
        list(sys.argv),
        sys.modules["__main__"],
        signal.getsignal(signal.SIGTERM),
        gc.get_threshold(),
    )
    assert after == before


def test_what_only_a_new_interpreter_would_do_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NeedsAChildProcess, match="PYTHONIOENCODING"):
        run_keyguard_in_process(
            ["scan", "."], cwd=tmp_path, env={**os.environ, "PYTHONIOENCODING": "ascii"}
        )
