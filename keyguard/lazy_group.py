"""A click group that imports a subcommand only when it runs.

Importing every command up front loads httpx, hvac, requests and rich for `keyguard
--help` or a scan that needs none of them. Each command is named by ``module:attribute``
with its one-line help, so listing them imports nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    target: str  # "package.module:attribute"
    short_help: str  # as `keyguard --help` lists it (a test keeps it the command's own)

    def load(self) -> click.Command:
        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


class LazyGroup(click.Group):
    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            return self.lazy[cmd_name].load()
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click lists commands: each help cut to the width left beside the longest name.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max((len(n) for n in names), default=0)
        rows = [(n, _cut(self.lazy[n].short_help, limit)) for n in names]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _cut(text: str, limit: int) -> str:
    """*text* cut at a word to at most *limit* characters, ``...`` marking the cut."""
    if len(text) <= limit:
        return text
    head = text[: max(0, limit - 3)].rsplit(" ", 1)[0].rstrip(" .,;:")
    return head + "..."
