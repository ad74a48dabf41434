"""The matcher on a 50 MB single-line bundle: whole-blob and streamed, few and many keys.

    python benchmarks/long_line.py [--size-mb 50] [--runs 3]

Before the allowlist window fix, each match on a line longer than 4 KiB searched from the
start of the buffer for a pragma, so time grew with (keys x line length): 3.1 s for 200
keys here, minutes for 20 000. Now each match looks at most 4 KiB either side.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.detect.matches import find_in_bytes, find_in_stream


def bundle(size: int, keys: int) -> bytes:
    key = "pk_" + hashlib.sha256(b"long line benchmark").hexdigest()[:34]
    filler = 'var a_live_x=1;e.a="abc",' * max(1, size // keys // 26)
    return (f'{filler}k="{key}",' * keys).encode()


def best_of(runs: int, job: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for keys in (200, 20_000):
        data = bundle(args.size_mb * 1_000_000, keys)
        assert len(find_in_bytes(data)) == keys
        mb = len(data) / 1e6
        for name, job in (
            ("find_in_bytes", lambda data=data: find_in_bytes(data)),
            ("find_in_stream", lambda data=data: find_in_stream(io.BytesIO(data).read)),
        ):
            seconds = best_of(args.runs, job)
            print(
                f"{name:15} {keys:6} keys  {mb:5.0f} MB  {seconds:6.3f} s  {mb / seconds:6.0f} MB/s"
            )


if __name__ == "__main__":
    main()
