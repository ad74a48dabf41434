"""Counted nouns for people: ``1 file``, ``2 files``, ``1,024 blobs``."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
