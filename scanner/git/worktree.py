"""The work tree's untracked and modified files: content one ``git add`` away from history."""

from __future__ import annotations

import dataclasses
import hashlib
import os

from plugins.pattern import Secret
from scanner.detect.engine import detect_bytes
from scanner.exclude import Excludes
from scanner.findings import Occurrence, Provenance, ScanIssue
from scanner.git.command import run_git
from scanner.git.repository import Repository

Hit = tuple[Secret, Occurrence]


def sweep_worktree(
    repo: Repository, excludes: Excludes | None = None
) -> tuple[list[Hit], int, int, list[ScanIssue]]:
    """Untracked (not ignored) and modified files: content that is in no blob yet."""
    assert repo.work_tree is not None
    listed = run_git(
        repo.work_tree,
        "ls-files",
        "-z",
        "--others",
        "--modified",
        "--exclude-standard",
        "--deduplicate",
    )
    hits: list[Hit] = []
    errors: list[ScanIssue] = []
    files = size = 0
    for raw in sorted(set(listed.stdout.split(b"\0"))):
        if not raw:
            continue
        rel = os.fsdecode(raw)
        if excludes and excludes.match(rel):
            continue
        path = repo.work_tree / rel
        if path.is_symlink() or not path.is_file():
            continue  # deleted from the work tree, or a link git would not follow either
        try:
            data = path.read_bytes()
        except OSError as exc:
            errors.append(ScanIssue(rel, exc.strerror or "could not be read"))
            continue
        files += 1
        size += len(data)
        detection = detect_bytes(rel, data)
        if not detection.hits:
            continue
        provenance = Provenance(
            repository=str(repo.root), blob=_blob_id(data, repo.object_format), in_worktree=True
        )
        hits.extend(
            (secret, dataclasses.replace(occurrence, provenance=provenance))
            for secret, occurrence in detection.hits
        )
    return hits, files, size, errors


def _blob_id(data: bytes, object_format: str) -> str:
    """The id git would give *data* (``git hash-object``), computed without writing it."""
    digest = hashlib.sha256() if object_format == "sha256" else hashlib.sha1(usedforsecurity=False)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()
