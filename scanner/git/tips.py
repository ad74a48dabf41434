"""Whether a repository changed since it was swept: its refs and HEAD, digested.

GitPython reads loose and packed refs in-process: asking costs no git process, which
matters when a resumed fleet sweep asks it of hundreds of repositories.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import git


def ref_state(path: Path) -> str | None:
    """A digest of every ref and of HEAD at *path*; None when *path* is no repository."""
    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError):
        return None
    try:
        lines = sorted(f"{ref.path} {ref.object.hexsha}" for ref in repo.references)
        head = repo.head
        named = "" if head.is_detached else head.reference.path
        lines.insert(0, f"HEAD {named} {head.commit.hexsha if head.is_valid() else ''}")
    except (ValueError, TypeError, OSError, git.GitError):
        return None
    finally:
        repo.close()
    text = "\n".join(lines)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
