"""A fleet of remote repositories: ``keyguard sweep github:ORG`` against a shell loop.

Builds (once, in benchmarks/.work/fleet/) an organisation of --repos bare repositories
(``git fast-import``: a few dozen commits of text files each, keys made at run time in
some of them, some only on a pull request's head), serves them with the local
smart-HTTP git server (``git http-backend`` behind basic auth) and lists them with the
GitHub API stand-in, both from keyguard.rehearsal, on 127.0.0.1. Then times:

- the loop: ``git clone --mirror`` + ``keyguard sweep`` per repository, as a shell script
  over the list of clone URLs (the token through the environment, as keyguard passes it);
- cold: ``keyguard sweep github:ORG`` into an empty clone cache (list, clone, sweep);
- warm: the same command again after new commits in --changed of the repositories
  (a look at each server's refs, fetch and sweep only what moved);
- peak RSS of the cold run over the whole organisation and over half of it
  (``--shard 0/2``): memory follows --jobs, not the number of repositories.

With ``--real PATH`` (repeatable), real public repositories join the organisation: each
bare repository at PATH (a fetched mirror, such as woocommerce/storefront) is served as
``acme/real-NAME`` beside the generated ones, and gets a new commit on its default branch
before every warm run too (a generated history flattered an earlier sweep by 3x).

Targets (issue 11): cold at most 0.5x the loop on 2 cores; warm at most 0.2x cold.

    python benchmarks/sweep_fleet.py [--repos 200] [--changed 20] [--runs 1] [--real PATH]...

Run it on a quiet machine (load under 0.5): the git server shares the cores.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from _common import REPO, WORK, keyguard_installed, make_key

sys.path.insert(0, str(REPO))

from keyguard.rehearsal.forge_github import GitHubStandin
from keyguard.rehearsal.git_http import GitHttpServer

ORG = "acme"
_IDENTITY = "Bench Author <bench@example.invalid>"
_WORDS = [
    *("order", "customer", "cart", "checkout", "price", "discount", "shipping", "invoice"),
    *("product", "variant", "inventory", "region", "currency", "tax", "refund", "campaign"),
    *("segment", "profile", "event", "metric"),
]


def _text(seed: str, lines: int) -> bytes:
    out = []
    digest = hashlib.sha256(seed.encode()).digest()
    for i in range(lines):
        a, b, c = (_WORDS[(digest[(i + k) % 32] + i * k) % len(_WORDS)] for k in (1, 2, 3))
        out.append(f"export const {a}_{b}_{i} = compute('{c}', {digest[i % 32] * i});\n")
    return "".join(out).encode()


def _blob(data: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(data), data)


def _history(index: int, commits: int, keyed: bool) -> bytes:
    """A fast-import stream: *commits* commits on main over a dozen files."""
    stream = []
    files = [f"src/module_{n}.js" for n in range(12)] + ["README.md", "package.json"]
    when = 1_700_000_000 + index * 1000
    for c in range(commits):
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer {_IDENTITY} {when + c * 60} +0000\n".encode())
        stream.append(_blob(f"commit {c}".encode()))  # fast-import chains them on main
        touched = files if c == 0 else [files[(c * 7 + k) % len(files)] for k in range(3)]
        for name in touched:
            data = _text(f"{index}/{name}/{c}", 60)
            if keyed and c == commits // 2 and name == files[0]:
                data += f"const key = '{make_key(f'fleet-bench-{index}')}';\n".encode()
            stream.append(f"M 100644 inline {name}\n".encode())
            stream.append(_blob(data))
        stream.append(b"\n")
    return b"".join(stream)


def _pull_head(index: int) -> bytes:
    """A commit only refs/pull/1/head holds, with a key in it."""
    key = make_key(f"fleet-bench-pr-{index}")
    return b"".join(
        [
            b"commit refs/pull/1/head\n",
            f"committer {_IDENTITY} 1800000000 +0000\n".encode(),
            _blob(b"pull request"),
            b"from refs/heads/main\n",
            b"M 100644 inline src/pr.js\n",
            _blob(f"const k = '{key}';\n".encode()),
            b"\n",
        ]
    )


def build(root: Path, repos: int, commits: int) -> list[str]:
    """The organisation's repositories under *root* (built once per size); their paths."""
    marker = root / f".built-{repos}-{commits}"
    paths = [f"{ORG}/repo{i:03d}" for i in range(repos)]
    if marker.exists():
        return paths
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for i, path in enumerate(paths):
        bare = root / f"{path}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
        stream = _history(i, commits, keyed=i % 20 == 3)
        if i % 20 == 11:
            stream += _pull_head(i)
        subprocess.run(["git", "-C", str(bare), "fast-import", "--quiet"], input=stream, check=True)
    marker.write_text("")
    return paths


def serve_real(root: Path, sources: list[Path]) -> list[str]:
    """Each real bare repository of *sources* served as ``acme/real-NAME`` (copied once)."""
    paths = []
    for source in sources:
        name = source.resolve().name
        if name in ("repo", ".git"):  # a fetched mirror's own directory: name it by its owner
            name = source.resolve().parent.name.split("+")[-1]
        path = f"{ORG}/real-{name}"
        bare = root / f"{path}.git"
        if not (bare / ".copied").exists():
            shutil.rmtree(bare, ignore_errors=True)
            bare.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "clone", "-q", "--mirror", str(source), str(bare)], check=True)
            (bare / ".copied").write_text("")
        paths.append(path)
    return paths


def branch(bare: Path) -> str:
    """The branch HEAD names in *bare* (``refs/heads/...``)."""
    return subprocess.run(
        ["git", "-C", str(bare), "symbolic-ref", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def change(root: Path, paths: list[str], count: int, round_: int, real: Sequence[str] = ()) -> None:
    """One new commit on the default branch of *count* of the repositories, and of each
    of the *real* ones."""
    generated = paths[:: max(1, len(paths) // count)][:count] if count > 0 else []
    chosen = [*generated, *real]
    for i, path in enumerate(chosen):
        bare = root / f"{path}.git"
        head = branch(bare)
        stream = b"".join(
            [
                f"commit {head}\n".encode(),
                f"committer {_IDENTITY} {1_900_000_000 + round_} +0000\n".encode(),
                _blob(b"change"),
                f"from {head}^0\n".encode(),
                f"M 100644 inline src/new_{round_}.js\n".encode(),
                _blob(_text(f"new/{round_}/{i}", 40)),
                b"\n",
            ]
        )
        subprocess.run(
            ["git", "-C", str(bare), "fast-import", "--quiet"],
            input=stream,
            check=True,
        )


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS MB of the largest process of the tree, exit code)."""
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *argv],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return wall, (int(found.group(1)) / 1024 if found else float("nan")), proc.returncode


_LOOP = r"""
set -u
mkdir -p "$MIRRORS" "$REPORTS"
while read -r url; do
  name=$(basename "$url" .git)
  git clone --mirror -q "$url" "$MIRRORS/$name.git" || continue
  keyguard sweep "$MIRRORS/$name.git" --format json -o "$REPORTS/$name.json" || true
done < "$URLS"
"""


def fingerprints(reports: list[Path]) -> set[str]:
    found = set()
    for path in reports:
        if path.exists():
            found |= {f["fingerprint"] for f in json.loads(path.read_text())["findings"]}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--commits", type=int, default=30)
    parser.add_argument("--changed", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None, help="keyguard --jobs (default: cores)")
    parser.add_argument(
        "--real", type=Path, action="append", default=[], help="a real bare repository to serve"
    )
    args = parser.parse_args()

    work = WORK / "fleet"
    served = work / "served"
    generated = build(served, args.repos, args.commits)
    real = serve_real(served, args.real)
    paths = [*generated, *real]
    bindir = keyguard_installed()
    token = "kgbench_" + base64.b32encode(os.urandom(20)).decode().lower()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []

    with GitHttpServer(served, token=token) as git, GitHubStandin(git.url, token=token) as api:
        for path in paths:
            head = branch(served / f"{path}.git").removeprefix("refs/heads/")
            api.add_repo(path, default_branch=head)
        header = "Authorization: Basic " + base64.b64encode(
            f"x-access-token:{token}".encode()
        ).decode("ascii")
        env = {
            **os.environ,
            "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_API_URL": api.url,
            "GITHUB_SERVER_URL": git.url,
            "GITHUB_TOKEN": token,
            "GIT_TERMINAL_PROMPT": "0",
        }
        loop_env = {
            **env,
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"http.{git.url}/.extraHeader",
            "GIT_CONFIG_VALUE_0": header,
        }
        urls = work / "urls.txt"
        urls.write_text("".join(git.url_for(p) + "\n" for p in paths))
        results: dict[str, list[float]] = {"loop": [], "cold": [], "warm": []}
        rss: dict[str, float] = {}
        found: dict[str, set[str]] = {}
        for run in range(args.runs):
            scratch = work / f"run{run}"
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(parents=True)
            loop_env.update(
                MIRRORS=str(scratch / "loop-mirrors"),
                REPORTS=str(scratch / "loop-reports"),
                URLS=str(urls),
            )
            wall, _, _ = timed(["bash", "-c", _LOOP], loop_env, scratch)
            results["loop"].append(wall)
            found["loop"] = fingerprints(sorted((scratch / "loop-reports").glob("*.json")))

            cache = scratch / "cache"
            sweep = ["keyguard", "sweep", f"github:{ORG}", "--clone-cache", str(cache), *jobs]
            wall, rss["cold"], code = timed(
                [*sweep, "--format", "json", "-o", str(scratch / "cold.json")], env, scratch
            )
            results["cold"].append(wall)
            found["cold"] = fingerprints([scratch / "cold.json"])
            print(f"run {run}: loop {results['loop'][-1]:.1f} s, cold {wall:.1f} s (exit {code})")

            change(served, generated, args.changed, run, real)
            wall, rss["warm"], code = timed(
                [*sweep, "--format", "json", "-o", str(scratch / "warm.json")], env, scratch
            )
            results["warm"].append(wall)
            found["warm"] = fingerprints([scratch / "warm.json"])
            print(f"run {run}: warm {wall:.1f} s (exit {code})")

        half_cache = work / "half-cache"
        shutil.rmtree(half_cache, ignore_errors=True)
        half = ["keyguard", "sweep", f"github:{ORG}", "--shard", "0/2", *jobs]
        _, rss["cold, half the repositories"], _ = timed(
            [*half, "--clone-cache", str(half_cache), "--format", "json", "-o", os.devnull],
            env,
            work,
        )
        api_calls = json.loads((work / "run0" / "cold.json").read_text())["stats"]["api_calls"]

    loop, cold, warm = (statistics.median(results[k]) for k in ("loop", "cold", "warm"))
    print()
    print(f"{args.repos} repositories, {args.commits} commits each, {args.changed} changed")
    if real:
        print(f"and {len(real)} real ones, each with a new commit: {', '.join(real)}")
    print(f"cores: {os.cpu_count()}, keyguard --jobs {args.jobs or 'default'}")
    print(f"{'run':<34}{'wall s':>8}{'ratio':>10}")
    print(f"{'loop: clone --mirror + sweep each':<34}{loop:>8.1f}{'':>10}")
    cold_line = f"{'keyguard cold (list, clone, sweep)':<34}{cold:>8.1f}{cold / loop:>9.2f}x"
    warm_line = f"{'keyguard warm (refs, fetch, sweep)':<34}{warm:>8.1f}{warm / cold:>9.2f}x"
    print(f"{cold_line}  (target <= 0.5x the loop)")
    print(f"{warm_line}  (target <= 0.2x cold)")
    print(f"API calls to list the organisation: {api_calls}")
    for name, mb in rss.items():
        print(f"peak RSS, {name}: {mb:.0f} MB")
    same = found["loop"] == found["cold"] == found["warm"]
    print(
        f"keys found: loop {len(found['loop'])}, cold {len(found['cold'])}, warm "
        f"{len(found['warm'])}: {'the same' if same else 'DIFFERENT'}"
    )
    print("(the loop misses pull-request heads only if its clones skip them: --mirror keeps them)")


if __name__ == "__main__":
    main()
