"""Shares of a target list: deterministic by name, stable as the list grows."""

from __future__ import annotations

import pytest

from plugins.errors import UsageError
from scanner.shard import Shard, select_targets


def test_shards_partition_the_targets_deterministically() -> None:
    targets = [f"/srv/git/team{i}/repo{i}" for i in range(200)]
    shards = [select_targets(targets, Shard(i, 4)) for i in range(4)]
    assert sorted(t for shard in shards for t in shard) == sorted(targets)
    assert all(shards)  # every shard gets work with 200 targets
    reordered = select_targets(list(reversed(targets)) + targets[:5], Shard(2, 4))
    assert reordered == shards[2]
    # Adding a target never moves the others between shards.
    grown = select_targets([*targets, "/srv/git/new"], Shard(2, 4))
    assert [t for t in grown if t != "/srv/git/new"] == shards[2]


@pytest.mark.parametrize("text", ["4/4", "1", "a/b", "0/0", "-1/3"])
def test_bad_shards_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        Shard.parse(text)
