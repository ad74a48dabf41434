"""`keyguard triage` at scale: 1,000 distinct keys over 100 targets of 10 versions each.

A real OpenBao dev server holds 100 KV v2 targets, each written 10 times (1,000 versions,
a distinct key in each); a `keyguard scan` report finds all 1,000 keys in files; the
Klaviyo stand-in answers with Klaviyo's real per-account limits (1/s burst, 15/min) over
100 accounts. The triage reads every version once (1,100 Vault requests: 100 metadata,
1,000 data), concurrently and bounded, and asks Klaviyo once per key.

Timed: the whole triage, then with --no-verify (the Vault side alone) at several
--vault-concurrency values.

    python benchmarks/triage_scale.py [--targets 100] [--versions 10] [--runs 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import make_key

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import hvac  # noqa: E402

from keyguard.rehearsal.klaviyo_standin import KeyState, KlaviyoStandin  # noqa: E402
from keyguard.rehearsal.openbao import DevServer  # noqa: E402


def fill_vault(client: hvac.Client, targets: int, versions: int) -> dict[str, tuple[str, int]]:
    """Every key written, by target and version: key -> (target, version)."""
    client.sys.enable_secrets_engine("kv", path="bench", options={"version": "2"})
    where: dict[str, tuple[str, int]] = {}

    def target(t: int) -> None:
        for v in range(1, versions + 1):
            key = make_key(f"triage-scale-{t}-{v}")
            client.secrets.kv.v2.create_or_update_secret(
                f"klaviyo/t{t:03d}", {"private_key": key}, mount_point="bench"
            )
            where[key] = (f"t{t:03d}", v)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(target, range(targets)))
    return where


def triage(env: dict[str, str], cwd: Path, *args: str) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "keyguard.main", "triage", "report.json", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1, 3):
        raise SystemExit(f"triage failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=100)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with DevServer() as info, KlaviyoStandin() as standin, tempfile.TemporaryDirectory() as d:
        work = Path(d)
        client = hvac.Client(url=info.addr, token=info.token)
        started = time.perf_counter()
        where = fill_vault(client, args.targets, args.versions)
        print(
            f"OpenBao: {len(where)} versions in {args.targets} targets written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        accounts = [standin.add_account() for _ in range(args.accounts)]
        states = (KeyState.LIVE, KeyState.DISABLED)
        for i, key in enumerate(sorted(where)):
            standin.add_key(key, account=accounts[i % len(accounts)], state=states[i % 2])
        src = work / "src"
        src.mkdir()
        keys = sorted(where)
        for f in range(0, len(keys), 100):
            body = "".join(f"K{i} = '{k}'\n" for i, k in enumerate(keys[f : f + 100]))
            (src / f"settings_{f // 100:02d}.py").write_text(body, encoding="utf-8")
        (work / "keyguard.toml").write_text(
            "".join(
                f'[targets.t{t:03d}]\nvault_path = "bench/klaviyo/t{t:03d}"\n'
                for t in range(args.targets)
            ),
            encoding="utf-8",
        )
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "VAULT_ADDR": info.addr,
            "VAULT_TOKEN": info.token,
            "KEYGUARD_KLAVIYO_URL": standin.url,
            "HOME": str(work),
        }
        scan = subprocess.run(
            [
                sys.executable,
                "-m",
                "keyguard.main",
                "scan",
                "src",
                "--format",
                "json",
                "-o",
                "report.json",
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert scan.returncode == 1, scan.stderr
        print(f"report: {len(json.loads((work / 'report.json').read_text())['findings'])} keys")

        elapsed, document = triage(env, work, "--format", "json", "--verify-budget", "600")
        listed = document["keys"]
        assert isinstance(listed, list)
        expected = {
            hashlib.sha256(key.encode()).hexdigest(): (target, version, version == args.versions)
            for key, (target, version) in where.items()
        }
        matched = sum(
            1
            for k in listed
            if [(v["target"], v["version"], v["current"]) for v in k["vault"]]
            == [expected[k["fingerprint"]]]
        )
        statuses: dict[str, int] = {}
        for k in listed:
            statuses[k["status"]] = statuses.get(k["status"], 0) + 1
        requests = len(standin.log.entries())
        print(
            f"full triage (verify on, real Klaviyo limits over {args.accounts} accounts): "
            f"{elapsed:.1f} s; {len(listed)} keys, statuses {statuses}, "
            f"{requests} Klaviyo requests, {matched} keys matched to their target and version"
        )
        for concurrency in (1, 8, 32):
            times = []
            for _ in range(args.runs):
                t, _doc = triage(
                    env,
                    work,
                    "--no-verify",
                    "--format",
                    "json",
                    "--vault-concurrency",
                    str(concurrency),
                )
                times.append(t)
            print(
                f"--no-verify, --vault-concurrency {concurrency}: median "
                f"{statistics.median(times):.2f} s over {args.runs} runs "
                f"({', '.join(f'{t:.2f}' for t in times)})"
            )


if __name__ == "__main__":
    main()
