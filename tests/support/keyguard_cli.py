"""Run ``keyguard``, answers fed on stdin as a person types them: in the test process by
default (see :mod:`tests.support.in_process`), or in a child process where a test needs one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.detect_secrets_cli import REPO_ROOT
from tests.support.in_process import run_keyguard_in_process


def _env(env: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")} | (env or {})
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def run_keyguard(
    *args: str | Path, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_keyguard_in_process(args, cwd=cwd, stdin=stdin, env=_env(env))


def run_keyguard_process(
    *args: str | Path, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m keyguard.main ARGS`` in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "keyguard.main", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(env),
        timeout=120,
        check=False,
    )


def run_audit(
    *args: str | Path, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_keyguard("audit", *args, cwd=cwd, stdin=stdin, env=env)


def cli_words() -> tuple[set[str], set[str]]:
    """Every command of ``keyguard`` (``"rotate resume"``) and every long option any of
    them takes (``"--break-lock"``), read from the click commands themselves."""
    import click

    from keyguard.main import cli

    ctx = click.Context(cli)
    commands: set[str] = set()
    flags: set[str] = set()

    def walk(command: click.Command, path: str) -> None:
        commands.add(path)
        for param in command.params:
            flags.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, f"{path} {name}".strip())

    walk(cli, "")
    return commands, flags
