"""Start-up: `keyguard --help` and a scan import only what they use (no timing here:
what is imported is the cost, and it does not depend on how busy the machine is)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from keyguard.main import COMMANDS, cli

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Libraries no listing or plain scan needs; rich is the console report's own.
HEAVY = (
    *("httpx", "hvac", "requests", "urllib3", "detect_secrets", "importlib.metadata"),
    "plugins.client.bulk_verify",  # the verifier's thread pool, for --verify only
)


def _imported(tmp_path: Path, *argv: str) -> set[str]:
    code = f"import sys; sys.argv = {['keyguard', *argv]!r}; from keyguard.main import main; main()"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize("argv", [("--help",), ("scan", "empty")])
def test_listing_and_a_plain_scan_import_nothing_heavy(tmp_path: Path, argv: tuple[str]) -> None:
    (tmp_path / "empty").mkdir()
    modules = _imported(tmp_path, *argv)
    assert _heavy(modules) == []
    if argv == ("--help",):
        assert not [
            m for m in modules if m.startswith(("keyguard.commands", "keyguard.rotate", "rich"))
        ]
    else:  # no file: no detection engine; a clean summary: no renderer, SARIF or JSON Lines
        unused = ("rich", "scanner.report.sarif", "scanner.detect.engine")
        assert not [m for m in modules if m.startswith(unused)]


def test_a_clean_summary_is_coloured_only_where_asked(tmp_path: Path) -> None:
    code = (
        "import sys; sys.argv = ['keyguard', 'scan', '.']; from keyguard.main import main; main()"
    )
    plain, forced = (
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin", **extra},
            check=False,
        ).stdout
        for extra in ({}, {"FORCE_COLOR": "1"})
    )
    assert plain == "0 Klaviyo private keys in 0 places; scanned 0 files (0.0 MB)\n"
    assert forced == "\x1b[1;32m" + plain.rstrip("\n") + "\x1b[0m\n"


def test_each_listed_help_is_the_commands_own() -> None:
    ctx = click.Context(cli)
    assert sorted(COMMANDS) == cli.list_commands(ctx)
    for name, lazy in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None
        assert lazy.short_help == command.get_short_help_str(limit=1000), name
