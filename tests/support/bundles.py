"""Client bundles and source maps built at test time (no fixture file holds a key)."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from scanner.detect.sourcemap.vlq import encode


@dataclass(frozen=True)
class Built:
    bundle: str
    map: dict[str, object]


def minify(sources: dict[str, str], *, with_content: bool = True) -> Built:
    """A Vite/webpack-like one-line bundle of *sources* and its v3 map.

    Each original line becomes one statement; the map has a segment at the start of each,
    pointing at the line's first non-blank column (what real bundlers do per token).
    """
    names = list(sources)
    parts: list[str] = ['"use strict";(()=>{']
    column = len(parts[0])
    segments: list[str] = []
    prev = [0, 0, 0, 0]  # generated column, source, original line, original column
    for index, name in enumerate(names):
        for line_no, line in enumerate(sources[name].split("\n")):
            code = line.strip()
            if not code or code.startswith("//"):
                continue
            orig_col = len(line) - len(line.lstrip())
            fields = [column, index, line_no, orig_col]
            segments.append("".join(encode(v - p) for v, p in zip(fields, prev, strict=True)))
            prev = fields
            statement = code.rstrip(";") + ";"
            parts.append(statement)
            column += len(statement)
    parts.append("})();")
    smap: dict[str, object] = {
        "version": 3,
        "file": "index.js",
        "sources": names,
        "names": [],
        "mappings": ",".join(segments),
    }
    if with_content:
        smap["sourcesContent"] = [sources[n] for n in names]
    return Built("".join(parts), smap)


def map_bytes(smap: dict[str, object]) -> bytes:
    return json.dumps(smap, separators=(",", ":")).encode()


def esbuild_binary(cache_dir: Path) -> Path:
    """esbuild from the npm registry, installed once into the pytest cache; fails clearly."""
    exe = cache_dir / "node_modules" / ".bin" / "esbuild"
    # xdist workers may both want it first: one installs, the other waits and finds it.
    with (cache_dir / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if exe.exists():
            return exe
        return _npm_install_esbuild(cache_dir, exe)


def _npm_install_esbuild(cache_dir: Path, exe: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH: install Node.js so the esbuild source-map tests can run")
    proc = subprocess.run(
        [npm, "install", "--prefix", str(cache_dir), "--no-audit", "--no-fund", "esbuild@0"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if proc.returncode != 0 or not exe.exists():
        pytest.fail(f"npm install esbuild failed (exit {proc.returncode}): {proc.stderr[-500:]}")
    return exe


def esbuild(exe: Path, entry: Path, out: Path, *extra: str) -> None:
    subprocess.run(
        [str(exe), str(entry), "--bundle", "--minify", f"--outfile={out}", *extra],
        check=True,
        capture_output=True,
    )
