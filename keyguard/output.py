"""The output seam: every command writes through here, to stdout or to the user's file."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from plugins.errors import UsageError
from plugins.pattern import redact_keys

if TYPE_CHECKING:  # rich costs ~15 ms to import: only output that needs it loads it
    from rich.console import RenderableType

#: SGR codes of the few styles a plain line uses (the same words rich would render).
_SGR = {"bold green": "1;32", "bold red": "1;31", "dim": "2"}


def _unwritable(output: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write {output}: {exc.strerror or exc}; choose another --output")


def write_text(text: str, output: Path | None, *, reveal: bool = False) -> None:
    """Write a report; unless *reveal* (``--show-secrets``), any whole key left in it,
    say a key passed where a path belongs and repeated in an error, is redacted."""
    if not reveal:
        text = redact_keys(text)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _unwritable(output, exc) from None


def write_rich(renderable: RenderableType, output: Path | None, *, reveal: bool = False) -> None:
    """Render for people (colour only on a terminal), then write as :func:`write_text` does."""
    from rich.console import Console

    if output is None:
        console = Console(highlight=False, soft_wrap=True)
    else:
        console = Console(file=io.StringIO(), highlight=False, soft_wrap=True, no_color=True)
    with console.capture() as captured:
        console.print(renderable)
    write_text(captured.get(), output, reveal=reveal)


def _colour() -> bool:
    """Colour as rich decides it for the common cases: a terminal, unless NO_COLOR or a dumb
    terminal; FORCE_COLOR forces it."""
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") in ("dumb", "unknown"):
        return False
    return sys.stdout.isatty()


def write_styled(
    parts: list[tuple[str, str]], output: Path | None, *, reveal: bool = False
) -> None:
    """One line of ``(text, style)`` parts, coloured only on a terminal, without loading rich
    (a clean scan's summary is all most runs print)."""
    colour = output is None and _colour()
    line = "".join(f"\x1b[{_SGR[style]}m{text}\x1b[0m" if colour else text for text, style in parts)
    write_text(line + "\n", output, reveal=reveal)


def stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
