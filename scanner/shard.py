"""Shares of a list of targets: ``--shard I/N`` picks share I of N by a hash of each name.

A shard's report records I/N and a digest of the whole list, so a merge of the shards can
prove that together they covered it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass

from plugins.errors import ErrorKind, UsageError
from scanner.report.model import ShardRecord


def _bad_shard(text: str, problem: str) -> UsageError:
    return UsageError(
        f"shard {text!r}: {problem}", kind=ErrorKind.BAD_SHARD, text=text, problem=problem
    )


@dataclass(frozen=True)
class Shard:
    """Share ``index`` of ``count`` (0 <= index < count), chosen by a hash of each target."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        head, sep, tail = text.partition("/")
        if not sep or not head.isdigit() or not tail.isdigit():
            raise _bad_shard(text, "expected I/N, such as 0/4")
        shard = cls(int(head), int(tail))
        if shard.count < 1 or not 0 <= shard.index < shard.count:
            raise _bad_shard(text, "I must be in 0..N-1")
        return shard

    def selects(self, target: str) -> bool:
        # A hash of the target's name, not its position, so adding a repository to the
        # list never moves the others to another shard.
        name = os.path.normpath(target).encode("utf-8", "surrogateescape")
        return int.from_bytes(hashlib.sha256(name).digest()[:8], "big") % self.count == self.index

    def record(self, targets: Iterable[str]) -> ShardRecord:
        """What a report of this share of *targets* says it covers (the whole list, digested)."""
        listing = "\n".join(select_targets(targets, None)).encode("utf-8", "surrogateescape")
        return ShardRecord(self.index, self.count, hashlib.sha256(listing).hexdigest())


def select_targets(targets: Iterable[str], shard: Shard | None) -> list[str]:
    """Targets in a stable order, without duplicates, narrowed to *shard*."""
    seen: dict[str, None] = {}
    for target in targets:
        seen.setdefault(os.path.normpath(target), None)
    chosen = sorted(seen)
    return [t for t in chosen if shard is None or shard.selects(t)]
