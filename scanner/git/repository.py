"""Finding the repository a sweep target names, and resolving revisions in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plugins.errors import ErrorKind, UsageError
from scanner.git.command import GitError, first_line, run_git


class UnknownRevision(GitError, UsageError):
    """A revision the user named does not exist here: a usage error, not a read failure."""

    kind = ErrorKind.USAGE


@dataclass(frozen=True)
class Repository:
    """A git repository as a sweep sees it."""

    root: Path  # the work tree, or the git directory of a bare repository
    git_dir: Path
    work_tree: Path | None
    shallow: bool
    object_format: str  # "sha1" or "sha256"


def open_repository(target: Path) -> Repository | None:
    """The repository at *target*, or None when *target* is not inside one."""
    proc = run_git(
        target,
        "rev-parse",
        "--absolute-git-dir",
        "--is-bare-repository",
        "--is-shallow-repository",
        "--show-object-format",
        check=False,
    )
    if proc.returncode != 0:
        message = first_line(proc.stderr)
        if "not a git repository" in message:
            return None
        raise GitError(f"{target}: {message}")
    git_dir, bare, shallow, fmt = proc.stdout.decode("utf-8", "surrogateescape").split("\n")[:4]
    work_tree: Path | None = None
    if bare != "true":
        top = run_git(target, "rev-parse", "--show-toplevel", check=False)
        if top.returncode == 0 and top.stdout.strip():
            work_tree = Path(top.stdout.decode("utf-8", "surrogateescape").rstrip("\n"))
    return Repository(
        root=work_tree or Path(git_dir),
        git_dir=Path(git_dir),
        work_tree=work_tree,
        shallow=shallow == "true",
        object_format=fmt or "sha1",
    )


def resolve_commit(repo: Repository, rev: str) -> str:
    """The commit id *rev* names in *repo*; a GitError names the revision when it is unknown."""
    if rev.startswith("-"):
        raise UnknownRevision(f"{repo.root}: {rev!r} is not a revision")
    proc = run_git(
        repo.root,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        rev + "^{commit}",
        check=False,
    )
    if proc.returncode != 0:
        raise UnknownRevision(
            f"{repo.root}: unknown revision {rev!r}: fetch it or name another one"
        )
    return proc.stdout.decode("ascii").strip()
