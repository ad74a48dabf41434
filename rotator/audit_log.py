"""An append-only, hash-chained JSON Lines audit log of rotation events (no secrets).

Each record carries the SHA-256 of the previous record's line, so an edited or dropped
line breaks the chain and ``verify`` says where.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

GENESIS = "0" * 64


def _digest(line: str) -> str:
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _last_line(fd: int) -> str | None:
    size = os.fstat(fd).st_size
    start = max(0, size - 65536)
    lines = os.pread(fd, size - start, start).splitlines()
    return lines[-1].decode("utf-8") if lines else None


class AuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Append *record* with its chain link; returns what was written."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # Concurrent rotations share one log: without an exclusive lock from reading
            # the last line to appending, two writers link to the same line and the chain
            # reads as tampered. The lock goes with the descriptor, even on a crash.
            fcntl.flock(fd, fcntl.LOCK_EX)
            last = _last_line(fd)
            entry = {"prev": _digest(last) if last else GENESIS, **record}
            line = json.dumps(entry, sort_keys=True, separators=(",", ":"))
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return entry


def verify(path: Path) -> list[str]:
    """Problems in the chain, as ``line N: ...`` strings (empty when intact)."""
    problems: list[str] = []
    prev = GENESIS
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            problems.append(f"line {number}: not JSON")
            prev = _digest(line)
            continue
        if entry.get("prev") != prev:
            problems.append(f"line {number}: chain broken (a line before it was changed)")
        prev = _digest(line)
    return problems
