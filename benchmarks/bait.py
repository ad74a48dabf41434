"""Hostile input: each bait at N and 2N bytes, scanned by ``keyguard scan`` as a whole process.

The detection engine's promise is linear work whatever the input: each bait of 50 MB
(and 50k distinct escaped keys) should take at most 3 s and 300 MB of peak RSS, and
doubling it should at most double the time. Baits are generated here, the escaped keys
at run time (never stored):

    python benchmarks/bait.py [--mb 50] [--runs 3]
"""

from __future__ import annotations

import argparse
import base64
import re
import secrets
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from _common import WORK, keyguard_venv


def _escaped_keys(size: int) -> bytes:
    """One escaped key a line, a thousand keys a megabyte asked (50k keys at --mb 50)."""
    lines = []
    for _ in range(size // 1000):
        one = "".join(f"\\x{ord(c):02x}" for c in "pk_" + secrets.token_hex(17))
        lines.append(f'var k = "{one}";\n')
    return "".join(lines).encode()


BAITS: dict[str, Callable[[int], bytes]] = {
    "pk_ repeated": lambda n: b"pk_" * (n // 3),
    "\\u0070 repeated": lambda n: b"\\u0070" * (n // 6),
    "base64 of pk_": lambda n: base64.b64encode(b"pk_" * (n // 4)),
    "hex runs": lambda n: secrets.token_hex(32).encode() * (n // 64),
    '"p"+"k_"+ joints': lambda n: b'"p"+"k_"+' * (n // 9),
    "escaped keys": _escaped_keys,
}


def _run(argv: list[str]) -> tuple[float, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *argv], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return wall, (int(found.group(1)) / 1024 if found else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    kg = keyguard_venv()
    folder = WORK / "bait"
    folder.mkdir(parents=True, exist_ok=True)
    size = args.mb * 1_000_000
    print(f"{'bait':<20}{'N s':>8}{'2N s':>8}{'2N/N':>7}{'peak MB N':>11}{'2N':>6}  findings at N")
    for name, make in BAITS.items():
        paths = []
        for scale in (1, 2):
            path = folder / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{scale}.js"
            path.write_bytes(make(size * scale))
            paths.append(path)
        walls: dict[Path, list[float]] = {p: [] for p in paths}
        peaks: dict[Path, float] = {p: 0.0 for p in paths}
        for _ in range(args.runs):
            for path in paths:
                wall, peak = _run([str(kg / "keyguard"), "scan", "--format", "json", str(path)])
                walls[path].append(wall)
                peaks[path] = max(peaks[path], peak)
        report = subprocess.run(
            [str(kg / "keyguard"), "scan", "--format", "json", str(paths[0])],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        places = report.count('"encoding"')
        one, two = (statistics.median(walls[p]) for p in paths)
        print(
            f"{name:<20}{one:>8.2f}{two:>8.2f}{two / one:>7.2f}"
            f"{peaks[paths[0]]:>11.0f}{peaks[paths[1]]:>6.0f}  {places}"
        )
        for path in paths:
            path.unlink()


if __name__ == "__main__":
    main()
