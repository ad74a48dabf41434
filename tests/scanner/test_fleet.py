"""Many targets: worker processes, merging shard results, the blob cache."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from scanner.fleet import sweep_many
from scanner.report.fields import ReportError
from scanner.report.merge import merge
from scanner.report.model import Report, load
from scanner.shard import Shard, select_targets
from scanner.stores import blobcache
from scanner.sweep import SweepInterrupted, SweepOptions
from tests.support.git import commit_file, init_repo
from tests.support.keys import make_key


def make_fleet(root: Path, n: int) -> list[str]:
    targets = []
    for i in range(n):
        repo = init_repo(root / f"repo{i}")
        commit_file(repo, "k.txt", f"{make_key(f'fleet-{i % 3}')}\n")
        commit_file(repo, "clean.txt", f"nothing {i}\n")
        targets.append(str(repo))
    return targets


def test_parallel_sweep_equals_serial_and_merged_shards_equal_the_whole(tmp_path: Path) -> None:
    targets = make_fleet(tmp_path, 5)
    missing = str(tmp_path / "gone")
    everything = [*targets, missing]
    serial = Report.of_sweep(sweep_many(everything, SweepOptions(), jobs=1)).to_json()
    parallel = Report.of_sweep(sweep_many(everything, SweepOptions(), jobs=2)).to_json()
    assert parallel == serial
    assert len(serial["findings"]) == 3
    assert [e["path"] for e in serial["errors"]] == [missing]
    shard_reports = []
    for i in range(3):
        chosen = select_targets(everything, Shard(i, 3))
        shard = Report.of_sweep(sweep_many(chosen, SweepOptions(), jobs=1))
        path = tmp_path / f"shard{i}.json"
        path.write_text(shard.dumps())
        shard_reports.append(load(path))
    merged_report = merge(shard_reports)
    merged = merged_report.to_json()
    assert merged["findings"] == serial["findings"]
    assert merged["errors"] == serial["errors"]
    assert merged["stats"]["blobs"] == serial["stats"]["blobs"]
    assert merge([merged_report, merged_report]).to_json()["findings"] == serial["findings"]


def test_merge_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"runs": []}))
    (tmp_path / "y.json").write_text("not json")
    for name in ("x.json", "y.json", "missing.json"):
        with pytest.raises(ReportError):
            load(tmp_path / name)


def _shard(status: str, account: dict[str, Any] | None = None) -> Report:
    """A one-finding shard report; the fingerprint is made up, no key is involved."""
    occurrence = {"path": "a.txt", "line": 1, "column": 1, "byte_column": 1, "encoding": "plain"}
    finding = {"fingerprint": "f" * 64, "redacted": "pk_…ffff", "status": status}
    document = {"findings": [{**finding, "account": account, "occurrences": [occurrence]}]}
    return Report.from_json(document)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (("unverified", "revoked"), "revoked"),  # verified in one shard stays verified
        (("revoked", "unknown"), "revoked"),  # an answer beats a failure to ask
        (("revoked", "live"), "live"),  # the most alarming answer wins
        (("live", "limited"), "live"),
        (("unknown", "unverified"), "unknown"),
    ],
)
def test_merge_keeps_the_most_alarming_verification(
    statuses: tuple[str, str], expected: str
) -> None:
    for order in (statuses, statuses[::-1]):
        (finding,) = merge(_shard(s) for s in order).to_json()["findings"]
        assert finding["status"] == expected


def test_merge_takes_the_account_from_the_winning_shard() -> None:
    site = {"id": "Abc123", "public_key": "Abc123", "test_account": None}
    for shards in (
        [_shard("live", site), _shard("unknown")],
        [_shard("unknown"), _shard("live", site)],
    ):
        (finding,) = merge(shards).to_json()["findings"]
        assert (finding["status"], finding["account"]) == ("live", site)


def test_no_key_is_pickled_on_the_way_back_from_a_worker(tmp_path: Path) -> None:
    from scanner.fleet import _Wire
    from scanner.sweep import sweep_target

    (repo,) = make_fleet(tmp_path, 1)
    result = sweep_target(Path(repo), SweepOptions())
    with pytest.raises(TypeError):
        pickle.dumps(result)  # Secret refuses, so a result can never be persisted by accident
    wire = pickle.loads(pickle.dumps(_Wire.pack(result)))  # noqa: S301 (our own bytes)
    assert wire.unpack() == result


def test_a_cache_skips_clean_blobs_but_keeps_reporting_keys(tmp_path: Path) -> None:
    targets = make_fleet(tmp_path, 2)
    cache_file = tmp_path / "cache"
    first = sweep_many(targets, SweepOptions(), remember=True)
    blobcache.save(cache_file, first.clean_blobs)
    cache = blobcache.load(cache_file)
    assert len(cache) == 2  # the two clean.txt blobs
    second = sweep_many(targets, SweepOptions(), cache=cache, remember=True)
    assert second.stats.cached == 2
    assert second.stats.blobs == first.stats.blobs - 2
    assert [f.fingerprint for f in second.findings] == [f.fingerprint for f in first.findings]


def test_a_cache_from_another_version_is_ignored(tmp_path: Path) -> None:
    stale = tmp_path / "cache"
    stale.write_bytes(b"keyguard-blob-cache 0\n" + b"a" * 40 + b"\n")
    assert blobcache.load(stale) == frozenset()
    assert blobcache.load(tmp_path / "absent") == frozenset()


def test_a_plain_directory_and_a_repository_with_the_same_path_sort_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = make_key("same-place")
    repo = init_repo(tmp_path / "repo")
    commit_file(repo, "config.py", f"K = '{key}'\n")
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "config.py").write_text(f"K = '{key}'\n")
    monkeypatch.chdir(plain)  # the directory's occurrence is displayed as "config.py" too
    result = sweep_many([".", str(repo)], SweepOptions())
    (finding,) = result.findings
    assert [o.path for o in finding.occurrences] == ["config.py", "config.py"]
    assert finding.occurrences[0].provenance is None


def test_an_interrupted_sweep_keeps_what_was_scanned_clean(tmp_path: Path) -> None:
    first = init_repo(tmp_path / "a-small")
    commit_file(first, "clean.txt", "nothing here\n")
    big = init_repo(tmp_path / "b-big")
    for i in range(5):  # 6 MB each: the stream reports progress every 16 MB
        commit_file(big, f"bundle{i}.txt", f"chunk {i}\n" + "x" * (6 << 20) + "\n")
    told: list[int] = []

    def progress(blobs: int, size: int) -> None:
        told.append(size)
        if sum(told) > 16 << 20:  # in the middle of the big repository: Ctrl-C
            raise KeyboardInterrupt

    targets = [str(first), str(big)]
    with pytest.raises(SweepInterrupted) as stopped:
        sweep_many(targets, SweepOptions(worktree=False), remember=True, progress=progress)
    kept = set(stopped.value.clean_blobs)
    whole = sweep_many(targets, SweepOptions(worktree=False), remember=True)
    assert kept < whole.clean_blobs  # some of the big repository, not all of it
    assert len(whole.clean_blobs - kept) >= 1
    assert len(kept) >= 3  # the small repository's blob, and the big one's first ones
