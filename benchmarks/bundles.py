"""Bundles and source maps vs plain text: ``keyguard scan`` throughput, a 20 MB one-line bundle.

The bundles are real minified JavaScript and maps: esbuild (installed from npm into
benchmarks/.work) bundles each of npm's own command modules, with source maps, and the
set is copied until it weighs at least --mb megabytes. A few generated keys are planted
(plain, escaped, base64, split by concatenation). The plain-text tree has the same file
sizes, filled with generated prose, and the same plain keys.

    python benchmarks/bundles.py [--mb 200] [--runs 3]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import REPO, WORK, median

KEYGUARD = [sys.executable, "-c", "from keyguard.main import main; main()"]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
INNER = """
import sys, time
from scanner.detect.engine import detect_bytes
best = 9.0
for _ in range(5):
    start = time.perf_counter()
    with open(sys.argv[1], "rb") as handle:
        detection = detect_bytes(sys.argv[1], handle.read())
    best = min(best, time.perf_counter() - start)
print(best, len(detection.hits))
"""


def key(label: str) -> str:
    return "pk_" + hashlib.sha256(label.encode()).hexdigest()[:34]


def esbuild() -> Path:
    prefix = WORK / "npm"
    exe = prefix / "node_modules" / ".bin" / "esbuild"
    if not exe.exists():
        subprocess.run(
            ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "esbuild@0"],
            check=True,
            capture_output=True,
        )
    return exe


def build_bundles(min_bytes: int) -> Path:
    out = WORK / "bundles"
    marker = out / ".done"
    if marker.exists() and marker.read_text() == str(min_bytes):
        return out
    shutil.rmtree(out, ignore_errors=True)
    seed = out / "seed"
    npm_root = subprocess.run(
        ["npm", "root", "-g"], capture_output=True, text=True, check=True
    ).stdout.strip()
    commands = sorted((Path(npm_root) / "npm" / "lib" / "commands").glob("*.js"))
    subprocess.run(
        [
            str(esbuild()),
            *map(str, commands),
            "--bundle",
            "--minify",
            "--platform=node",
            "--sourcemap",
            f"--outdir={seed}",
            "--log-level=error",
        ],
        check=True,
    )
    seeds = sorted(seed.iterdir())
    total = sum(p.stat().st_size for p in seeds)
    copy = 0
    while total < min_bytes:
        copy += 1
        target = out / f"copy{copy}"
        shutil.copytree(seed, target)
        total += sum(p.stat().st_size for p in seeds)
    js = sorted(p for p in out.rglob("*.js"))
    plants = [
        f';var __a="{key("b-plain")}";',
        ';var __b="' + "".join(f"\\x{ord(c):02x}" for c in key("b-escaped")) + '";',
        f';var __c=atob("{base64.b64encode(key("b-b64").encode()).decode()}");',
        f';var __d="{key("b-concat")[:3]}"+"{key("b-concat")[3:]}";',
    ]
    for path, plant in zip(js[:: max(1, len(js) // len(plants))], plants, strict=False):
        text = path.read_text()
        cut = text.rfind("\n//# sourceMappingURL=")
        path.write_text(text[:cut] + plant + text[cut:])
    marker.write_text(str(min_bytes))
    return out


def _sizes(like: Path) -> list[int]:
    return sorted(p.stat().st_size for p in like.rglob("*") if p.is_file() and p.name != ".done")


def _fill(out: Path, sizes: list[int], blob: bytes, suffix: str) -> Path:
    marker = out / ".done"
    if marker.exists() and marker.read_text() == str(sum(sizes)):
        return out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for i, size in enumerate(sizes):
        data = (blob * (size // len(blob) + 1))[:size]
        if i < 4:
            data = key(f"p-{i}").encode() + b"\n" + data[38:]
        (out / f"f{i:05}{suffix}").write_bytes(data)
    marker.write_text(str(sum(sizes)))
    return out


def build_prose(like: Path) -> Path:
    """Generated prose: no backslash, percent sign or ampersand (the decoders' best case)."""
    rng = random.Random(7)
    words = [hashlib.md5(str(i).encode()).hexdigest()[: rng.randint(2, 9)] for i in range(5000)]
    para = " ".join(rng.choice(words) for _ in range(200_000))
    para = "\n".join(para[i : i + 80] for i in range(0, len(para), 80)) + "\n"
    return _fill(WORK / "plain", _sizes(like), para.encode(), ".txt")


def build_source(like: Path) -> Path:
    """Python's own standard library source, the text keyguard scan usually sees."""
    stdlib = Path(os.__file__).parent
    blob = b"".join(p.read_bytes() for p in sorted(stdlib.glob("*.py")))
    return _fill(WORK / "source", _sizes(like), blob, ".py")


def measure(argv: list[str], runs: int) -> tuple[float, int, str]:
    """Median seconds, peak RSS (KiB) and the last stdout of *runs* runs."""
    times, peak, out = [], 0, ""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *argv],
            capture_output=True,
            text=True,
            env=ENV,
            check=False,
        )
        times.append(time.perf_counter() - start)
        peak = max(peak, int(proc.stderr.strip().splitlines()[-1]))
        out = proc.stdout
    return median(times), peak, out


def single_line(bundles: Path, size: int) -> Path:
    path = WORK / "single-line.js"
    if path.exists() and path.stat().st_size == size:
        return path
    parts, total = [], 0
    for js in sorted((bundles / "seed").glob("*.js")):
        text = js.read_bytes().split(b"\n//# sourceMappingURL=")[0].replace(b"\n", b" ")
        parts.append(text)
        total += len(text)
        if total >= size:
            break
    data = b";".join(parts)
    data = (data * (size // len(data) + 1))[: size - 60]
    data += f';var k="{key("one-line")}";'.encode()
    path.write_bytes(data[:size].ljust(size, b" "))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bundles = build_bundles(args.mb * 1_000_000)
    trees = {
        "prose": build_prose(bundles),
        "python source": build_source(bundles),
        "bundles + maps": bundles,
    }
    size = sum(p.stat().st_size for p in bundles.rglob("*") if p.is_file())
    files = sum(1 for p in bundles.rglob("*") if p.is_file())
    print(f"each tree {size / 1e6:.0f} MB in {files} files; bundles: {bundles}")
    # Runs alternate between the trees so machine noise hits all of them alike.
    times: dict[str, list[float]] = {name: [] for name in trees}
    peaks: dict[str, int] = dict.fromkeys(trees, 0)
    found: dict[str, int] = {}
    for _ in range(args.runs):
        for name, tree in trees.items():
            t, rss, out = measure([*KEYGUARD, "scan", "--format", "json", str(tree)], 1)
            times[name].append(t)
            peaks[name] = max(peaks[name], rss)
            found[name] = len(json.loads(out)["findings"])
    for name in trees:
        t = median(times[name])
        print(
            f"{name:16} {t:7.2f} s {size / 1e6 / t:7.1f} MB/s  peak {peaks[name] / 1024:6.0f} MiB"
            f"  keys {found[name]}"
        )
    bundle_t = median(times["bundles + maps"])
    for name in ("prose", "python source"):
        print(
            f"bundles at {median(times[name]) / bundle_t:.2f}x the speed on {name} "
            f"(median of {args.runs})"
        )

    one = single_line(bundles, 20 * 1024 * 1024)
    cat, _, _ = measure(["sh", "-c", f"cat {one} > /dev/null"], max(args.runs, 5))
    kg, rss, out = measure([*KEYGUARD, "scan", "--format", "json", str(one)], args.runs)
    start_up, _, _ = measure([*KEYGUARD, "--version"], args.runs)
    # The scan alone, timed inside the process: read the file, detect, nothing else.
    inner = subprocess.run(
        [sys.executable, "-c", INNER, str(one)],
        capture_output=True,
        text=True,
        env=ENV,
        check=True,
    ).stdout.split()
    scan_s, keys = float(inner[0]), int(inner[1])
    print(
        f"20 MiB single line: keyguard scan {kg:.2f} s end to end (start-up {start_up:.2f} s), "
        f"peak {rss / 1024:.0f} MiB, keys {len(json.loads(out)['findings'])}"
    )
    print(
        f"  read + detect in process {scan_s:.3f} s (best of 5, {keys} keys); cat {cat:.3f} s; "
        f"{scan_s / cat:.0f}x cat"
    )


if __name__ == "__main__":
    main()
