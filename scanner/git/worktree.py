"""The work tree's untracked, modified and staged files: content not committed yet.

What is staged sits in the index, in no commit: a ``git commit`` away from history, and
read from its blob (the work tree may hold something else by then).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field

from plugins.pattern import Secret
from scanner.detect.engine import detect_bytes
from scanner.detect.options import DetectOptions
from scanner.exclude import Excludes
from scanner.findings import Occurrence, Provenance, ScanIssue
from scanner.git.command import run_git
from scanner.git.repository import Repository
from scanner.sources.staged import iter_staged

Hit = tuple[Secret, Occurrence]


@dataclass
class WorkTreeScan:
    """What the work tree held: keys, counts, and notes (as a sweep's errors and warnings)."""

    hits: list[Hit] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    errors: list[ScanIssue] = field(default_factory=list)
    warnings: list[ScanIssue] = field(default_factory=list)


def sweep_worktree(
    repo: Repository, excludes: Excludes | None = None, options: DetectOptions | None = None
) -> WorkTreeScan:
    """Untracked (not ignored), modified and staged files: content in no commit yet."""
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
    out = WorkTreeScan()
    detect = options or DetectOptions()
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
            out.errors.append(ScanIssue(rel, exc.strerror or "could not be read"))
            continue
        _scan(repo, rel, data, detect, out)
    for staged in iter_staged(repo.work_tree):
        if excludes and excludes.match(staged.path):
            continue
        _scan(repo, staged.path, staged.data, detect, out)
    return out


def _scan(
    repo: Repository, rel: str, data: bytes, options: DetectOptions, out: WorkTreeScan
) -> None:
    detection = detect_bytes(rel, data, options=options)
    out.files += 1
    out.bytes += len(data)
    # An archive here is read as in history: what it left unread is said, not dropped.
    out.errors.extend(detection.notes)
    out.warnings.extend(detection.warnings)
    if not detection.hits:
        return
    provenance = Provenance(
        repository=str(repo.root), blob=_blob_id(data, repo.object_format), in_worktree=True
    )
    out.hits.extend(
        (secret, dataclasses.replace(occurrence, provenance=provenance))
        for secret, occurrence in detection.hits
    )


def _blob_id(data: bytes, object_format: str) -> str:
    """The id git would give *data* (``git hash-object``), computed without writing it."""
    digest = hashlib.sha256() if object_format == "sha256" else hashlib.sha1(usedforsecurity=False)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()
