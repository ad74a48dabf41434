"""Shared helpers for the benchmark scripts: a throwaway venv with keyguard and its peers."""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "benchmarks" / ".work"
STDLIB = Path(os.__file__).parent


def make_key(label: str) -> str:
    """A well-formed fake key derived from *label* (same label, same key)."""
    return "pk_" + hashlib.sha256(label.encode("utf-8")).hexdigest()[:34]


def venv(name: str, *packages: str) -> Path:
    """A venv under benchmarks/.work with *packages* installed (once); returns its bin dir."""
    root = WORK / name
    bindir = root / "bin"
    marker = root / ".installed"
    wanted = "\n".join(packages)
    if not marker.exists() or marker.read_text() != wanted:
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
        subprocess.run([str(bindir / "pip"), "install", "-q", *packages], check=True)
        marker.write_text(wanted)
    return bindir


def peer_commands(peers: Path, repo: Path, reports: Path, jobs: int | None) -> dict[str, list[str]]:
    """Kingfisher and Betterleaks sweeping *repo*'s history, reports written to *reports*."""
    threads = ["--jobs", str(jobs)] if jobs else []
    return {
        "kingfisher": [
            str(peers / "kingfisher"),
            *("scan", "--no-validate", "--no-update-check", "--quiet", *threads),
            *("--format", "json", "--output", str(reports / "kingfisher.json"), str(repo)),
        ],
        "betterleaks": [
            str(peers / "betterleaks"),
            *("git", "--no-banner", "--log-level=error", *threads),
            *("--output", str(reports / "betterleaks.json"), str(repo)),
        ],
    }


def keyguard_venv() -> Path:
    return venv("keyguard", "-e", str(REPO))


def keyguard_installed() -> Path:
    """keyguard installed from this checkout as pre-commit installs a hook: not editable.

    An editable install adds an import finder to every start (about 10 ms), which users of
    the hook never pay. Reinstalled on each call from a copy of the tracked files (so the
    build leaves nothing in the checkout), so it is always today's code.
    """
    import tempfile

    bindir = venv("keyguard-installed", "pip")  # a bare venv: keyguard comes from the copy
    tracked = (
        subprocess.run(["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    with tempfile.TemporaryDirectory() as tmp:
        for name in filter(None, tracked):
            if (REPO / name).is_file():
                (Path(tmp) / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(REPO / name, Path(tmp) / name)
        pip = [str(bindir / "pip"), "install", "-q"]
        subprocess.run([*pip, tmp], check=True)  # its dependencies, the first time
        subprocess.run([*pip, "--no-deps", "--force-reinstall", tmp], check=True)
    return bindir


def time_runs(
    commands: Mapping[str, Sequence[str]],
    *,
    runs: int,
    cwd: Path,
    env: dict[str, str] | None = None,
) -> dict[str, list[float]]:
    """Run each command *runs* times, interleaved so machine noise hits all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(
                argv,
                cwd=cwd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            times[name].append(time.perf_counter() - start)
    return times


def median(xs: list[float]) -> float:
    return statistics.median(xs)
