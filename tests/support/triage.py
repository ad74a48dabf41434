"""A triage scene: keys leaked into a real git repository and swept by the real `keyguard
sweep`, stored in several versions of targets in a real OpenBao, known to the Klaviyo
stand-in, and one rotated to DONE by the real `keyguard rotate`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keyguard.rehearsal.klaviyo_standin import KeyState, KlaviyoStandin
from plugins.pattern import fingerprint
from tests.support.git import GIT_ENV, commit_file, git, init_repo
from tests.support.in_process import run_keyguard_in_process
from tests.support.keys import make_key
from tests.support.openbao import Bao
from tests.support.rotation import FAST_FLAGS, REPO_ROOT


@dataclass
class TriageScene:
    root: Path
    bao: Bao
    klaviyo: KlaviyoStandin
    repo: Path
    keys: dict[str, str]
    config: Path
    audit_log: Path
    home: Path
    paths: dict[str, str] = field(default_factory=dict)  # target -> MOUNT/PATH

    def env(self, token: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
        env.update(GIT_ENV)
        env.update(
            VAULT_ADDR=self.bao.addr,
            VAULT_TOKEN=token or self.bao.token,
            KEYGUARD_KLAVIYO_URL=self.klaviyo.url,
            HOME=str(self.home),
            XDG_STATE_HOME=str(self.home / "state"),
            XDG_CACHE_HOME=str(self.home / "cache"),
            PYTHONPATH=str(REPO_ROOT),
            COLUMNS="200",
        )
        return env

    def keyguard(self, *args: str | Path, token: str | None = None) -> Run:
        done = run_keyguard_in_process(
            [str(a) for a in args], cwd=self.root, env=self.env(token), timeout=120
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def sweep(self, name: str = "report.json", *extra: str) -> Path:
        out = self.root / name
        swept = self.keyguard("sweep", self.repo, "--format", "json", "-o", out, *extra)
        assert swept.code == 1, swept.stderr
        return out

    def triage(self, *args: str | Path, token: str | None = None) -> Run:
        return self.keyguard(
            "triage", *args, "--config", self.config, "--audit-log", self.audit_log, token=token
        )

    def put(self, target: str, data: dict[str, str]) -> None:
        mount, _, rel = self.paths[target].partition("/")
        self.bao.client().secrets.kv.v2.create_or_update_secret(rel, data, mount_point=mount)

    def rotate(self, target: str, old: str, new: str) -> None:
        """Drive a rotation of *target* to DONE, as CI would: non-interactive, three runs."""
        base = ["rotate", "--config", str(self.config), "--target", target]
        base += ["--audit-log", str(self.audit_log), "--non-interactive", *FAST_FLAGS]
        assert self.keyguard(*base).code == 10
        stdin_run = run_keyguard_in_process(
            [*base, "--new-key-stdin"], cwd=self.root, env=self.env(), stdin=new + "\n"
        )
        assert stdin_run.returncode == 11, stdin_run.stderr
        self.klaviyo.set_status(fingerprint(old), "disabled")
        done = self.keyguard(*base, "--confirm-revoked")
        assert done.code == 0, done.stderr

    def leaks(self) -> set[str]:
        return set(self.keys.values())


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        document = json.loads(self.stdout)
        assert isinstance(document, dict)
        return document

    def keys(self) -> dict[str, dict[str, Any]]:
        """The JSON triage's keys by fingerprint."""
        listed = self.json()["keys"]
        assert isinstance(listed, list)
        return {str(k["fingerprint"]): k for k in listed}


LABELS = (
    "current",  # live, the current version of storefront, at HEAD
    "old",  # live, an old version of storefront: replaced by hand, never disabled
    "pull",  # live, in no target, only on a pull-request ref
    "limited",  # limited, in no target, in a work-tree file
    "revoked_head",  # revoked, still at HEAD
    "revoked_gone",  # revoked, deleted from the code: history only
    "retired",  # rotated away by keyguard rotate (shop): revoked, still at HEAD
    "replacement",  # the key the rotation put in place (never committed)
    "billing",  # live, version 2 of billing (version 1 has no such field)
)


def build_scene(root: Path, bao: Bao, klaviyo: KlaviyoStandin) -> TriageScene:
    keys = {label: make_key(f"triage-{label}-{bao.mount}") for label in LABELS}
    account = klaviyo.add_account("Shop42")
    for label in ("current", "old", "pull", "retired", "replacement", "billing"):
        klaviyo.add_key(keys[label], account=account)
    klaviyo.add_key(keys["limited"], account=account, state=KeyState.LIMITED)

    repo = init_repo(root / "shop")
    commit_file(repo, "README.md", "# shop\n", "init")
    commit_file(repo, "config/old.env", f"KLAVIYO={keys['revoked_gone']}\n", "old config")
    git(repo, "rm", "-q", "config/old.env")
    git(repo, "commit", "-q", "-m", "remove old config")
    commit_file(repo, "config/settings.py", f"KEY = '{keys['current']}'\n", "settings")
    commit_file(repo, "legacy.js", f"var a = '{keys['revoked_head']}';\n", "legacy")
    commit_file(repo, "shop.env", f"K={keys['retired']}\nB={keys['billing']}\n", "shop")
    commit_file(repo, "backup.txt", f"{keys['old']}\n", "backup")
    git(repo, "checkout", "-q", "-b", "contributor")
    commit_file(repo, "pr.txt", f"{keys['pull']}\n", "a pull request")
    git(repo, "update-ref", "refs/pull/7/head", "HEAD")
    git(repo, "checkout", "-q", "main")
    git(repo, "branch", "-q", "-D", "contributor")
    (repo / "local.env").write_text(f"LIMITED={keys['limited']}\n", encoding="utf-8")

    paths = {name: bao.path(f"klaviyo/{name}") for name in ("storefront", "billing", "shop")}
    config = root / "keyguard.toml"
    config.write_text(
        "".join(f'[targets.{name}]\nvault_path = "{path}"\n' for name, path in paths.items()),
        encoding="utf-8",
    )
    home = root / "home"
    home.mkdir()
    scene = TriageScene(root, bao, klaviyo, repo, keys, config, root / "audit.jsonl", home, paths)
    scene.put("storefront", {"private_key": keys["old"]})
    scene.put("storefront", {"private_key": make_key(f"triage-unleaked-{bao.mount}")})
    scene.put("storefront", {"private_key": keys["current"]})
    scene.put("billing", {"token": "not-a-key"})
    scene.put("billing", {"private_key": keys["billing"]})
    scene.put("shop", {"private_key": keys["retired"]})
    return scene
