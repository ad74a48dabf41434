"""A live progress display for long sweeps, shown only when stderr is a terminal.

One line counts the targets swept; below it, one line per mirror being cloned or fetched
says how far git is ("cloning github:acme/shop  receiving objects  1200/9000"). Piped (a CI
log), a sweep of many targets says once a minute how far it is, so a long cold sweep of an
organisation is not silent until it ends.
"""

from __future__ import annotations

import threading
from types import TracebackType

from rich.console import Console, RenderableType
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from plugins.pattern import redact_keys
from scanner.fleet import Activity
from scanner.report.wording import count
from scanner.sweep import TargetResult

#: Seconds between two lines of a piped sweep of several targets.
HEARTBEAT = 60.0


class LiveProgress:
    """Repos done, blobs and bytes scanned, keys found so far, and the clones under way;
    piped, a line every *heartbeat* seconds when there are several targets."""

    def __init__(
        self, total: int, console: Console | None = None, heartbeat: float | None = HEARTBEAT
    ) -> None:
        self.console = console or Console(stderr=True)
        self.enabled = self.console.is_terminal
        self.total = total
        self.done = self.blobs = self.bytes = self.keys = 0
        self.heartbeat = heartbeat if not self.enabled and total > 1 else None
        self._stopped = threading.Event()
        self._beating: threading.Thread | None = None
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self.task = self.progress.add_task("sweeping", total=total, detail="")
        self._doing: dict[str, TaskID] = {}  # a line per mirror being cloned or fetched
        self._lock = threading.Lock()  # activities arrive on the pool reader's thread

    def __enter__(self) -> LiveProgress:
        if self.enabled:
            self.progress.start()
        elif self.heartbeat is not None:
            self._beating = threading.Thread(target=self._beat, daemon=True)
            self._beating.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.enabled:
            self.progress.stop()
        self._stopped.set()
        if self._beating is not None:
            self._beating.join()

    def _beat(self) -> None:
        assert self.heartbeat is not None
        while not self._stopped.wait(self.heartbeat):
            self.console.file.write(self.line() + "\n")
            self.console.file.flush()

    def line(self) -> str:
        """How far the sweep is, in one line."""
        return (
            f"keyguard: {self.done:,} of {count(self.total, 'target')} swept, "
            f"{count(self.blobs, 'blob')} ({self.bytes / 1e6:,.0f} MB) read, "
            f"{count(self.keys, 'place')} with a key so far"
        )

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
        self.done += 1
        self.keys += len(result.hits)
        if self.enabled:
            self.progress.advance(self.task)
            self._refresh()

    def watch(self, activity: Activity) -> None:
        """Show how a clone or fetch goes; its line goes when it ends."""
        if not self.enabled:
            return
        with self._lock:
            task = self._doing.get(activity.target)
            if not activity.action:
                if task is not None:
                    self.progress.remove_task(self._doing.pop(activity.target))
                return
            described = f"  {activity.action} {activity.target}"
            if task is None:
                self._doing[activity.target] = self.progress.add_task(
                    described,
                    total=activity.total,
                    completed=activity.done,
                    detail=activity.phase,
                )
            else:
                self.progress.update(
                    task,
                    description=described,
                    total=activity.total,
                    completed=activity.done,
                    detail=activity.phase,
                )

    @staticmethod
    def show_on_terminal(renderable: RenderableType) -> None:
        """Print to stderr when it is a terminal (a machine report is going to stdout)."""
        console = Console(stderr=True)
        if console.is_terminal:
            with console.capture() as captured:
                console.print(renderable)
            console.file.write(redact_keys(captured.get()))
