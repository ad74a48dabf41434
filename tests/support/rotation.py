"""A rotation scene for tests: a secret in OpenBao holding a live key known to the stand-in."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin, StandinAccount
from plugins.client.api import KlaviyoClient
from plugins.pattern import Secret, fingerprint
from rotator.config import Target
from rotator.gates import Polling
from rotator.integrations import Integration
from rotator.journal import Journal
from rotator.operator import OldKey, Settings
from rotator.recorder import Event
from rotator.runbook import Runbook
from rotator.vault import VaultStore
from tests.support.keys import make_key
from tests.support.openbao import Bao

REPO_ROOT = Path(__file__).resolve().parents[2]
FAST = Settings(polling=Polling(timeout=2.0, interval=0.05, max_interval=0.2))


@dataclass
class Scene:
    bao: Bao
    klaviyo: KlaviyoStandin
    account: StandinAccount
    old_key: str
    new_key: str
    path: str

    def disable(self, key: str) -> None:
        self.klaviyo.set_status(fingerprint(key), "disabled")

    def vault_versions(self) -> dict[int, str]:
        client = self.bao.client()
        mount, _, rel = self.path.partition("/")
        meta = client.secrets.kv.v2.read_secret_metadata(rel, mount_point=mount)["data"]
        out = {}
        for v in sorted(int(x) for x in meta["versions"]):
            data = client.secrets.kv.v2.read_secret_version(
                rel, version=v, mount_point=mount, raise_on_deleted_version=True
            )["data"]["data"]
            out[v] = data["private_key"]
        return out

    def custom_metadata(self) -> dict[str, str]:
        client = self.bao.client()
        mount, _, rel = self.path.partition("/")
        meta = client.secrets.kv.v2.read_secret_metadata(rel, mount_point=mount)["data"]
        return dict(meta["custom_metadata"] or {})


def make_scene(
    bao: Bao, klaviyo: KlaviyoStandin, label: str = "storefront", **old_key_as: Any
) -> Scene:
    """*old_key_as*: how the stand-in lists the old key (``name=``, ``created=``)."""
    account = klaviyo.add_account()
    old_key, new_key = make_key(f"{label}-old-{bao.mount}"), make_key(f"{label}-new-{bao.mount}")
    klaviyo.add_key(old_key, account=account, **old_key_as)
    klaviyo.add_key(new_key, account=account)
    path = bao.path(f"klaviyo/{label}")
    mount, _, rel = path.partition("/")
    bao.client().secrets.kv.v2.create_or_update_secret(
        rel, {"private_key": old_key, "other": "kept"}, mount_point=mount
    )
    return Scene(bao, klaviyo, account, old_key, new_key, path)


@dataclass
class ScriptedOperator:
    """The human, scripted: answers the runbook's questions from fixed values."""

    new_key: Callable[[Journal], Secret | None]
    on_revoke: Callable[[], bool] = lambda: False
    confirm: Callable[[Integration], bool] = lambda step: True
    waited: list[float] = field(default_factory=list)
    told: list[str] = field(default_factory=list)  # why each pause was announced

    def confirm_integration(self, step: Integration, journal: Journal) -> bool:
        return self.confirm(step)

    def confirm_revoked(self, journal: Journal, old: OldKey) -> bool:
        return self.on_revoke()

    def wait(self, seconds: float, journal: Journal) -> None:
        self.waited.append(seconds)
        time.sleep(seconds)

    def waiting(self, why: str, seconds: float, journal: Journal) -> None:
        self.told.append(why)


def make_runbook(
    scene: Scene, events: list[Event], target: Target | None = None, **kwargs: object
) -> tuple[Runbook, Callable[[], None]]:
    http = httpx.Client()
    client = KlaviyoClient(scene.klaviyo.url, http=http, max_attempts=2, sleep=lambda _: None)
    runbook = Runbook(
        VaultStore(scene.bao.client(), scene.path),
        client,
        target or Target(vault_path=scene.path),
        emit=events.append,
        http=http,
        settings=FAST,
        sleep=time.sleep,
        monotonic=time.monotonic,
        **kwargs,  # type: ignore[arg-type]
    )
    return runbook, http.close


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    def events(self) -> list[dict[str, object]]:
        import json

        return [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]


def cli_env(scene: Scene, home: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
    env.update(
        VAULT_ADDR=scene.bao.addr,
        VAULT_TOKEN=scene.bao.token,
        KEYGUARD_KLAVIYO_URL=scene.klaviyo.url,
        HOME=home,
        XDG_STATE_HOME=home + "/state",
        # The CLI runs from other directories too (a target's keyguard.toml lives there).
        PYTHONPATH=str(REPO_ROOT),
    )
    return env


CLI = ["-c", "from keyguard.main import main; main()", "rotate"]
FAST_FLAGS = ["--poll-interval", "0.05", "--revoke-timeout", "3"]


def run_cli(
    args: list[str],
    env: dict[str, str],
    stdin: str = "",
    timeout: float = 60.0,
    cwd: Path | None = None,
) -> CliResult:
    """``keyguard rotate ARGS``, in the test process (see :mod:`tests.support.in_process`)."""
    from tests.support.in_process import run_keyguard_in_process

    done = run_keyguard_in_process(
        ["rotate", *args], cwd=cwd, stdin=stdin, env=env, timeout=timeout
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def run_cli_process(
    args: list[str],
    env: dict[str, str],
    stdin: str = "",
    timeout: float = 60.0,
    cwd: Path | None = None,
) -> CliResult:
    """``keyguard rotate ARGS`` in a child process."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, *CLI, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    return CliResult(done.returncode, done.stdout, done.stderr)


def paste(hint_text: str, env: dict[str, str], cwd: Path | None = None) -> CliResult:
    """Run the one `keyguard rotate …` hint in *hint_text* exactly as printed."""
    import re
    import shlex

    (hint,) = re.findall(r"`(keyguard rotate[^`]*)`", hint_text)
    words = shlex.split(hint)
    assert words[:2] == ["keyguard", "rotate"], hint
    return run_cli(words[2:], env, cwd=cwd)
