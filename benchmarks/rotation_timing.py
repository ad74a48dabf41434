"""How long a rotation's machinery takes when nobody waits: OpenBao dev server + stand-in.

Times (a) one whole rotation driven in-process (preflight to DONE, the old key disabled by
the scripted human at once) and (b) the same through the CLI as CI would run it: three
``keyguard rotate --non-interactive`` invocations (exit 10, 11, 0), process start included.

    python benchmarks/rotation_timing.py [--rotations 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _common import make_key

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import hvac  # noqa: E402

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin  # noqa: E402
from keyguard.rehearsal.openbao import DevServer  # noqa: E402
from plugins.client.api import KlaviyoClient  # noqa: E402
from plugins.pattern import Secret, fingerprint  # noqa: E402
from rotator.config import Target  # noqa: E402
from rotator.gates import Polling  # noqa: E402
from rotator.operator import Settings  # noqa: E402
from rotator.runbook import Runbook  # noqa: E402
from rotator.vault import VaultStore  # noqa: E402


class Human:
    def __init__(self, new: str, standin: KlaviyoStandin, old: str) -> None:
        self.new, self.standin, self.old = new, standin, old

    def new_key(self, journal: object) -> Secret:
        return Secret(self.new)

    def confirm_integration(self, step: object, journal: object) -> bool:
        return True

    def confirm_revoked(self, journal: object, old: object) -> bool:
        self.standin.set_status(fingerprint(self.old), "disabled")
        return True

    def wait(self, seconds: float, journal: object) -> None:
        time.sleep(seconds)

    def waiting(self, why: str, seconds: float, journal: object) -> None:
        pass


def seed(client: hvac.Client, standin: KlaviyoStandin, label: str) -> tuple[str, str, str]:
    account = standin.add_account()
    old, new = make_key(label + "-old"), make_key(label + "-new")
    standin.add_key(old, account=account)
    standin.add_key(new, account=account)
    client.secrets.kv.v2.create_or_update_secret(f"bench/{label}", {"private_key": old})
    return f"secret/bench/{label}", old, new


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rotations", type=int, default=10)
    n = parser.parse_args().rotations
    fast = Settings(polling=Polling(timeout=5, interval=0.05, max_interval=0.2))
    with DevServer() as info, KlaviyoStandin(None) as standin, httpx.Client() as http:
        client = hvac.Client(url=info.addr, token=info.token)
        inproc = []
        for i in range(n):
            path, old, new = seed(client, standin, f"in{i}")
            runbook = Runbook(
                VaultStore(client, path),
                KlaviyoClient(standin.url, http=http),
                Target(vault_path=path),
                emit=lambda e: None,
                http=http,
                settings=fast,
                sleep=time.sleep,
                monotonic=time.monotonic,
            )
            start = time.perf_counter()
            assert runbook.run(Human(new, standin, old)).journal.state.value == "DONE"
            inproc.append(time.perf_counter() - start)

        env = {
            **os.environ,
            "VAULT_ADDR": info.addr,
            "VAULT_TOKEN": info.token,
            "KEYGUARD_KLAVIYO_URL": standin.url,
            "PYTHONPATH": str(REPO),
        }
        cli = [
            sys.executable,
            "-m",
            "keyguard.main",
            "rotate",
            "--non-interactive",
            "--poll-interval",
            "0.05",
        ]
        steps: list[list[float]] = [[], [], []]
        with tempfile.TemporaryDirectory() as home:
            env["HOME"] = home
            for i in range(n):
                path, old, new = seed(client, standin, f"cli{i}")
                plan = [
                    (["--new-key-stdin"], new, 11),
                    ([], "", 11),
                    (["--confirm-revoked"], "", 0),
                ]
                for step, (extra, stdin, code) in enumerate(plan):
                    if step == 2:
                        standin.set_status(fingerprint(old), "disabled")
                    start = time.perf_counter()
                    done = subprocess.run(
                        [*cli, "--vault-path", path, *extra],
                        input=stdin,
                        env=env,
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    steps[step].append(time.perf_counter() - start)
                    assert done.returncode == code, done.stderr
    med = statistics.median
    print(
        f"in-process rotation, preflight to DONE: median {med(inproc) * 1000:.0f} ms "
        f"(min {min(inproc) * 1000:.0f}, max {max(inproc) * 1000:.0f}; n={n})"
    )
    for name, times in zip(
        ("write (exit 11)", "re-run (exit 11)", "revoke (exit 0)"), steps, strict=True
    ):
        print(f"CLI {name}: median {med(times) * 1000:.0f} ms (n={n})")


if __name__ == "__main__":
    main()
