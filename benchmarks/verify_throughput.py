"""Bulk verification throughput against the stand-in at Klaviyo's real rate limit.

N distinct keys spread over A accounts; the stand-in enforces GET /api/accounts' limits
per account (burst 1/s, steady 15/m). The verifier cannot know which account a key
belongs to, so it learns from 429 + Retry-After. The fastest any client could go is set
by the busiest account; the script reports the time taken against that bound.

Then: ``scan --verify`` of a tree with no keys, counting the stand-in's requests (zero).

    python benchmarks/verify_throughput.py [--keys 1000] [--accounts 100] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _common import make_key

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from keyguard.rehearsal.klaviyo_standin import KeyState, KlaviyoStandin, RateLimit  # noqa: E402
from plugins.client.api import KeyStatus, KlaviyoClient  # noqa: E402
from plugins.client.bulk_verify import Verifier  # noqa: E402
from plugins.pattern import Secret  # noqa: E402


def lower_bound(per_account: int, limit: RateLimit) -> float:
    """Seconds the busiest account needs at best (fixed 1 s and 60 s windows)."""
    minutes = math.ceil(per_account / limit.steady) - 1
    last_minute = per_account - minutes * limit.steady
    return minutes * 60 + (math.ceil(last_minute / limit.burst) - 1)


def throughput(keys: int, accounts: int, concurrency: int, grouped: bool) -> None:
    limit = RateLimit()
    states = [KeyState.LIVE, KeyState.LIMITED, KeyState.DISABLED]
    with KlaviyoStandin(limit) as standin:
        owners = [standin.add_account() for _ in range(accounts)]
        secrets = [Secret(make_key(f"bench-{i}")) for i in range(keys)]
        for i, secret in enumerate(secrets):
            # grouped: each account's keys arrive together (one leaky repo per account),
            # the worst order for a client that cannot tell accounts apart.
            owner = owners[i * accounts // keys] if grouped else owners[i % accounts]
            standin.add_key(secret, account=owner, state=states[i % 3])
        with KlaviyoClient(standin.url) as client:
            verifier = Verifier(client, concurrency=concurrency, budget=3600)
            started = time.perf_counter()
            results = verifier.verify(secrets)
            elapsed = time.perf_counter() - started
        codes = Counter(e.status for e in standin.log.entries())
    statuses = Counter(c.status.value for c in results.values())
    per_account = math.ceil(keys / accounts)
    bound = lower_bound(per_account, limit)
    order = "grouped by account" if grouped else "interleaved"
    print(
        f"keys {keys} ({order}), accounts {accounts} ({per_account} keys each), "
        f"concurrency {concurrency}"
    )
    print(f"rate limit per account: burst {limit.burst}/s, steady {limit.steady}/min")
    print(f"results: {dict(statuses)}; unknown: {statuses.get(KeyStatus.UNKNOWN.value, 0)}")
    print(f"HTTP answers: {dict(sorted(codes.items()))} (429 = throttled, retried)")
    print(f"elapsed {elapsed:.2f} s; best possible under the limit ~{bound:.0f}-{bound + 1:.0f} s")
    print(
        f"achieved {keys / elapsed:.1f} keys/s and {sum(codes.values()) / elapsed:.1f} requests/s; "
        f"the limit allows {accounts * limit.burst} requests/s over {accounts} accounts "
        f"(burst), {accounts * limit.steady / 60:.1f}/s sustained"
    )


def no_keys_no_requests() -> None:
    with KlaviyoStandin() as standin, tempfile.TemporaryDirectory() as tmp:
        for i in range(200):
            Path(tmp, f"file{i}.py").write_text("print('nothing to see')\n" * 50)
        env = {**os.environ, "PYTHONPATH": str(REPO), "KEYGUARD_KLAVIYO_URL": standin.url}
        proc = subprocess.run(
            [sys.executable, "-m", "keyguard.main", "scan", "--verify", tmp],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        print(
            f"scan --verify of 200 files without keys: exit {proc.returncode}, "
            f"HTTP requests to the stand-in: {len(standin.log)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    for grouped in (False, True):
        throughput(args.keys, args.accounts, args.concurrency, grouped)
        print()
    no_keys_no_requests()


if __name__ == "__main__":
    main()
