"""The one detection seam every source goes through: bytes in, (secret, occurrence) out.

Sources (files, the git index, git history, archives, crawled sites) hand a blob's bytes
and its display path here, so decoders, archive expansion and source maps added later
apply to all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plugins.pattern import Secret
from scanner.findings import Occurrence
from scanner.matches import RawMatch, find_in_bytes, find_in_stream

#: Where git's own heuristic looks for a NUL byte to call a blob binary.
BINARY_SNIFF = 8000


def looks_binary(head: bytes) -> bool:
    return b"\0" in head[:BINARY_SNIFF]


@dataclass(frozen=True)
class Detection:
    """Occurrences found in one blob, split by whether an allowlist pragma silenced them."""

    hits: tuple[tuple[Secret, Occurrence], ...]
    allowlisted: int


def _to_detection(path: str, matches: list[RawMatch]) -> Detection:
    hits = tuple(
        (Secret(m.key), Occurrence(path, m.line, m.column, m.byte_column))
        for m in matches
        if not m.allowlisted
    )
    return Detection(hits, allowlisted=len(matches) - len(hits))


def detect_bytes(path: str, data: bytes) -> Detection:
    """Keys in a blob held in memory, reported under *path*."""
    return _to_detection(path, find_in_bytes(data))


def detect_stream(path: str, read: Callable[[int], bytes]) -> Detection:
    """Keys in a blob too large to hold, read in chunks with ``read(n)``."""
    return _to_detection(path, find_in_stream(read))
