"""The output seam: every command writes through here, to stdout or to the user's file."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rich.console import Console, RenderableType

from plugins.errors import UsageError
from plugins.pattern import redact_keys


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
    if output is None:
        console = Console(highlight=False, soft_wrap=True)
    else:
        console = Console(file=io.StringIO(), highlight=False, soft_wrap=True, no_color=True)
    with console.capture() as captured:
        console.print(renderable)
    write_text(captured.get(), output, reveal=reveal)


def stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
