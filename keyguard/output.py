"""The output seam: every command writes through here, to stdout or to the user's file."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console, RenderableType


def write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


def write_rich(renderable: RenderableType, output: Path | None) -> None:
    if output is None:
        Console(highlight=False, soft_wrap=True).print(renderable)
    else:
        with output.open("w", encoding="utf-8") as handle:
            Console(file=handle, highlight=False, soft_wrap=True, no_color=True).print(renderable)


def stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
