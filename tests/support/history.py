"""Repositories with keys hidden in every corner of git history, built with the git CLI."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.support.git import commit_file, git, git_env, init_repo
from tests.support.keys import make_key


@dataclass(frozen=True)
class Corners:
    """A repository and the key planted in each place (label -> key)."""

    repo: Path
    keys: dict[str, str]


def build_corners(root: Path) -> Corners:
    """main, a feature branch, a tag-only commit, a stash, a note, a remote-tracking ref,
    a key deleted from main (still in history) and one still at HEAD."""
    repo = init_repo(root)
    keys = {
        label: make_key(f"corner-{label}")
        for label in ("deleted", "head", "branch", "tag", "stash", "note", "remote")
    }
    commit_file(repo, "README.md", "# shop\n", "init")
    commit_file(repo, "config/settings.py", f"KEY = '{keys['deleted']}'\n", "add key")
    git(repo, "rm", "-q", "config/settings.py")
    git(repo, "commit", "-q", "-m", "remove key")
    commit_file(repo, "app.js", f"const k = '{keys['head']}';\n", "still here")

    git(repo, "checkout", "-q", "-b", "feature")
    commit_file(repo, "feature.env", f"KLAVIYO={keys['branch']}\n", "feature")

    git(repo, "checkout", "-q", "--detach", "main")
    commit_file(repo, "release.txt", f"{keys['tag']}\n", "release only")
    git(repo, "tag", "-a", "v1.0", "-m", "release")

    git(repo, "checkout", "-q", "--detach", "main")
    commit_file(repo, "mirror.txt", f"{keys['remote']}\n", "fetched from origin")
    git(repo, "update-ref", "refs/remotes/origin/old", "HEAD")

    git(repo, "checkout", "-q", "main")
    main_head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "notes", "add", "-m", f"deploy with {keys['note']}", main_head)
    (repo / "app.js").write_text(f"const k = '{keys['head']}';\nconst s = '{keys['stash']}';\n")
    git(repo, "stash", "push", "-q", "-m", "wip")
    return Corners(repo, keys)


def tree_digest(directory: Path) -> dict[str, str]:
    """SHA-256 of every file under *directory* (symlinks by target), for no-change checks."""
    out = {}
    for path in sorted(directory.rglob("*")):
        rel = str(path.relative_to(directory))
        if path.is_symlink():
            out[rel] = "link:" + str(path.readlink())
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def clone(source: Path, dest: Path, *args: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", *args, f"file://{source}", str(dest)],
        check=True,
        capture_output=True,
        env=git_env(),
    )
    return dest
