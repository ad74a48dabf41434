"""The command group: every command loads on demand, and --help loads none of them."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest

from keyguard.main import COMMANDS, cli


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_listed_command_loads_under_its_name(name: str) -> None:
    module, _, attribute = COMMANDS[name][0].partition(":")
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    assert cli.get_command(click.Context(cli), name) is command
    assert command.name == name


def test_help_lists_every_command_without_loading_the_heavy_libraries() -> None:
    probe = (
        "import sys\n"
        "from keyguard.main import cli\n"
        "try:\n"
        "    cli.main(['--help'], standalone_mode=False)\n"
        "finally:\n"
        "    heavy = [m for m in ('httpx', 'hvac', 'rich', 'detect_secrets', 'git') "
        "if m in sys.modules]\n"
        "    print('loaded:', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "loaded: []" in out
    for name in COMMANDS:
        assert f"  {name} " in out
