"""Proving that a secret went nowhere: argv of every process, files on disk, text."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


def git_wrapper(bin_dir: Path, log: Path) -> Path:
    """A ``git`` on *bin_dir* that appends its argv to *log*, then runs the real git.
    Put *bin_dir* first on PATH."""
    real = shutil.which("git")
    assert real is not None
    bin_dir.mkdir(parents=True, exist_ok=True)
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    return wrapper


@contextmanager
def watching_argv(secrets: Iterable[str]) -> Iterator[list[str]]:
    """While the block runs, read every process's command line on this machine, over and
    over; yields the list of command lines found holding one of *secrets* (empty is good).
    Catches the git helpers (``git-remote-http``, ``index-pack``) a wrapper cannot see."""
    wanted = [s.encode() for s in secrets if s]
    found: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if any(s in cmdline for s in wanted):
                    found.append(cmdline.replace(b"\0", b" ").decode("utf-8", "replace"))
            stop.wait(0.002)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()


def files_holding(root: Path, secrets: Iterable[str]) -> list[Path]:
    """Every file under *root* whose bytes hold one of *secrets*."""
    wanted = [s.encode() for s in secrets if s]
    out = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(s in data for s in wanted):
                out.append(path)
    return out
