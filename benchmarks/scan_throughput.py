"""Directory scan throughput: ``keyguard scan`` vs ``detect-secrets scan`` with only our plugin.

The tree is a copy of the Python standard library (no site-packages, no bytecode), with a
few generated keys planted so both tools have something to find.

    python benchmarks/scan_throughput.py [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import time
from pathlib import Path

from _common import REPO, STDLIB, WORK, keyguard_venv, median

PLANTED = 5


def build_tree() -> tuple[Path, int]:
    tree = WORK / "stdlib-tree"
    if not tree.exists():
        shutil.copytree(
            STDLIB, tree, ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc")
        )
        for i in range(PLANTED):
            key = "pk_" + hashlib.sha256(f"bench-{i}".encode()).hexdigest()[:34]
            (tree / f"planted_{i}.py").write_text(f'KLAVIYO_API_KEY = "{key}"\n')
    size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file() and not p.is_symlink())
    return tree, size


def timed(argv: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc.stdout


def detect_secrets_argv(bindir: Path, tree: Path) -> list[str]:
    listed = subprocess.run(
        [str(bindir / "detect-secrets"), "scan", "--list-all-plugins"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    argv = [
        str(bindir / "detect-secrets"),
        "scan",
        "--plugin",
        str(REPO / "plugins" / "klaviyo.py"),
    ]
    for name in listed:
        argv += ["--disable-plugin", name]
    return [*argv, "--all-files", str(tree)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    kg = keyguard_venv()
    tree, size = build_tree()
    print(f"tree: {tree} ({size / 1e6:.0f} MB)")
    kg_times, kg_found = [], 0
    ds_times, ds_found = [], 0
    for _ in range(args.runs):
        t, out = timed([str(kg / "keyguard"), "scan", "--format", "json", str(tree)], WORK)
        kg_times.append(t)
        kg_found = len(json.loads(out)["findings"])
    t, out = timed(detect_secrets_argv(kg, tree), WORK)
    ds_times.append(t)
    ds_found = len({s["hashed_secret"] for r in json.loads(out)["results"].values() for s in r})
    kg_t, ds_t = median(kg_times), median(ds_times)
    print(f"{'tool':34} {'seconds':>8} {'MB/s':>8} {'keys':>5}")
    print(f"{'keyguard scan':34} {kg_t:8.2f} {size / 1e6 / kg_t:8.1f} {kg_found:5}")
    print(
        f"{'detect-secrets (klaviyo plugin)':34} {ds_t:8.2f} {size / 1e6 / ds_t:8.1f} {ds_found:5}"
    )
    print(f"keyguard is {ds_t / kg_t:.1f}x faster")


if __name__ == "__main__":
    main()
