"""Running git read-only: one place that decides how keyguard calls the git binary.

A sweep must never change the repository it reads, so every call goes through
:func:`git_env` and :func:`git_argv`: no optional locks (``git status``-style index
refreshes), no automatic gc or maintenance, no fsmonitor daemon, no lazy fetches from a
promisor remote, no prompts, no pager.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from plugins.errors import ErrorKind, KeyguardError

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]


class GitError(KeyguardError):
    """git could not do what a sweep asked of it: something was not read."""

    kind = ErrorKind.UNREADABLE


class GitNotFound(GitError):
    def __init__(self) -> None:
        super().__init__("git was not found on PATH: install git to sweep repositories")


_READ_ONLY_CONFIG = (
    "gc.auto=0",
    "maintenance.auto=false",
    "core.fsmonitor=false",
    "core.untrackedCache=false",
    "fetch.writeCommitGraph=false",
    "core.quotePath=false",
)


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            # Never take the index lock to refresh stat data (git status/diff would).
            "GIT_OPTIONAL_LOCKS": "0",
            # A partial clone would otherwise fetch missing blobs from its remote.
            "GIT_NO_LAZY_FETCH": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat",
            "LC_ALL": "C",
        }
    )
    # A caller's GIT_DIR / GIT_WORK_TREE would point every command at another repository.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        env.pop(name, None)
    return env


def git_argv(repo: Path, *args: str) -> list[str]:
    argv = ["git"]
    for item in _READ_ONLY_CONFIG:
        argv += ["-c", item]
    return [*argv, "-C", str(repo), *args]


def first_line(stderr: bytes) -> str:
    """The most telling line of git's stderr (the ``fatal:`` one when there is one)."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    for line in lines:
        if line.startswith("fatal:"):
            return line
    return lines[-1] if lines else "git failed without a message"


def run_git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    try:
        proc = subprocess.run(
            git_argv(repo, *args), capture_output=True, env=git_env(), stdin=subprocess.DEVNULL
        )
    except FileNotFoundError as exc:
        raise GitNotFound() from exc
    if check and proc.returncode != 0:
        raise GitError(f"git {args[0]} failed in {repo}: {first_line(proc.stderr)}")
    return proc


def popen_git(
    repo: Path, args: Sequence[str], *, stdin: int | IO[bytes], stderr: int | IO[bytes]
) -> subprocess.Popen[bytes]:
    try:
        proc = subprocess.Popen(
            git_argv(repo, *args),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=git_env(),
            bufsize=1 << 20,
        )
    except FileNotFoundError as exc:
        raise GitNotFound() from exc
    _widen_pipe(proc.stdout)
    return proc


def _widen_pipe(pipe: IO[bytes] | None) -> None:
    """A 1 MiB pipe instead of 64 KiB: git writes a large blob in a few wake-ups, not hundreds."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if pipe is None or set_size is None:
        return
    with contextlib.suppress(OSError):  # capped by /proc/sys/fs/pipe-max-size: keep 64 KiB
        fcntl.fcntl(pipe.fileno(), set_size, 1 << 20)
