"""Files and directories of a work tree.

Inside a git work tree the file list comes from ``git ls-files`` so ``.gitignore`` is
honoured exactly as git honours it; elsewhere the tree is walked. Symlinks met while
walking are never followed (their targets inside the tree are scanned as themselves).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scanner.exclude import Excludes


@dataclass(frozen=True)
class FileItem:
    path: Path  # what to open
    display: str  # what to report
    explicit: bool  # named by the user: a failure to read it is an error, not noise


@dataclass(frozen=True)
class Problem:
    display: str
    message: str


def _git_files(directory: Path) -> list[Path] | None:
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(directory),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--deduplicate",
                "--",
                ".",
            ],
            capture_output=True,
            check=False,
        )
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return [directory / os.fsdecode(p) for p in proc.stdout.split(b"\0") if p]


@dataclass
class Skipped:
    """What a listing left out on purpose, for the summary to count."""

    #: Paths .gitignore excludes; an ignored directory (node_modules/) counts once, as git
    #: lists it, so counting never walks what is not scanned.
    gitignored: int = 0


def _count_ignored(directory: Path) -> int:
    try:
        proc = subprocess.run(
            [
                *("git", "-C", str(directory), "ls-files", "-z", "--others", "--ignored"),
                *("--exclude-standard", "--directory", "--", "."),
            ],
            capture_output=True,
            check=False,
        )
    except OSError:
        return 0
    return proc.stdout.count(b"\0") if proc.returncode == 0 else 0


def _is_ignored(directory: Path) -> bool:
    """True when git ignores *directory* itself (the user named an ignored dir, like dist/)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(directory), "check-ignore", "-q", "."],
            capture_output=True,
            check=False,
        )
    except OSError:
        return False  # no git: the directory is walked
    return proc.returncode == 0


def _walk(directory: Path) -> Iterator[Path]:
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name != ".git":
                    subdirs.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                yield Path(entry.path)
        stack.extend(reversed(subdirs))


def _display(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def iter_files(
    targets: list[Path],
    problems: list[Problem],
    skipped: Skipped | None = None,
    excludes: Excludes | None = None,
) -> Iterator[FileItem]:
    """Every regular file under *targets*; unreadable targets are appended to *problems*,
    and what .gitignore excludes is counted in *skipped*. *excludes* apply to paths
    relative to each directory named (a file named explicitly is always read)."""
    cwd = Path.cwd()
    seen: set[Path] = set()
    for target in targets:
        if not os.path.lexists(target):
            problems.append(Problem(str(target), "no such file or directory"))
            continue
        if target.is_dir():
            # git lists files only inside a work tree (None elsewhere: walk). A directory git
            # ignores as a whole (dist/, node_modules/) is walked too when it is named.
            listed = None if _is_ignored(target) else _git_files(target)
            candidates = listed if listed is not None else list(_walk(target))
            if listed is not None and skipped is not None:
                skipped.gitignored += _count_ignored(target)
            for path in candidates:
                if path in seen:
                    continue
                if excludes and excludes.match(path.relative_to(target).as_posix()):
                    continue
                seen.add(path)
                # git lists tracked symlinks and files deleted from the work tree: skip both.
                if listed is not None and (path.is_symlink() or not path.is_file()):
                    continue
                yield FileItem(path, _display(path, cwd), explicit=False)
        elif target.is_file():
            if target not in seen:
                seen.add(target)
                yield FileItem(target, _display(target, cwd), explicit=True)
        else:
            problems.append(Problem(str(target), "not a regular file or directory"))
