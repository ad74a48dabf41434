"""A live progress display for long sweeps, shown only when stderr is a terminal."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console, RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from plugins.pattern import redact_keys
from scanner.report.wording import count
from scanner.sweep import TargetResult


class LiveProgress:
    """Repos done, blobs and bytes scanned, keys found so far; silent when piped."""

    def __init__(self, total: int, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self.enabled = self.console.is_terminal
        self.blobs = self.bytes = self.keys = 0
        self.progress = Progress(
            TextColumn("sweeping"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.task = self.progress.add_task("sweep", total=total, detail="")

    def __enter__(self) -> LiveProgress:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.enabled:
            self.progress.stop()

    def _refresh(self) -> None:
        detail = (
            f"{count(self.blobs, 'blob')}  {self.bytes / 1e6:,.0f} MB  {count(self.keys, 'key')}"
        )
        self.progress.update(self.task, detail=detail)

    def scanned(self, blobs: int, size: int) -> None:
        self.blobs += blobs
        self.bytes += size
        if self.enabled:
            self._refresh()

    def target_done(self, result: TargetResult) -> None:
        self.keys += len(result.hits)
        if self.enabled:
            self.progress.advance(self.task)
            self._refresh()

    @staticmethod
    def show_on_terminal(renderable: RenderableType) -> None:
        """Print to stderr when it is a terminal (a machine report is going to stdout)."""
        console = Console(stderr=True)
        if console.is_terminal:
            with console.capture() as captured:
                console.print(renderable)
            console.file.write(redact_keys(captured.get()))
