"""The real ``pre-commit`` running this checkout's hooks, with one hook environment per run.

``pre-commit try-repo`` builds a new store in a temporary directory every time, so each call
pip-installs the checkout again. The hook tests instead do what try-repo does once per test
session: take the checkout's commit (or, with uncommitted changes, a snapshot commit of them,
made exactly as try-repo makes it), install its hooks into one ``PRE_COMMIT_HOME``, and then
run ``pre-commit run`` with a configuration naming that repository, revision and hooks, as
try-repo writes it. What runs is what users run: pre-commit's own staging, stage filtering,
arguments and the installed ``keyguard-hook`` / ``keyguard sweep`` entry points.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.git import git_env

CHECKOUT = Path(__file__).resolve().parents[2]
PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))


@dataclass(frozen=True)
class HookRepo:
    """This checkout as a hook repository: where pre-commit clones it from, at which commit,
    and the ``PRE_COMMIT_HOME`` that holds its one installed hook environment."""

    repo: Path
    rev: str
    home: Path

    def env(self) -> dict[str, str]:
        env = {**git_env(), "PRE_COMMIT_HOME": str(self.home), "PRE_COMMIT_COLOR": "never"}
        env.pop("PYTHONPATH", None)
        return env

    def config(self, hooks: Sequence[str], args: Sequence[str] = ()) -> str:
        """The ``.pre-commit-config.yaml`` for *hooks* of this repository (JSON is YAML)."""
        listed = [{"id": hook, **({"args": list(args)} if args else {})} for hook in hooks]
        return json.dumps({"repos": [{"repo": str(self.repo), "rev": self.rev, "hooks": listed}]})

    def run(
        self, repo: Path, *args: str, hooks: Sequence[str] | None, hook_args: Sequence[str] = ()
    ) -> subprocess.CompletedProcess[str]:
        """``pre-commit run ARGS`` in *repo* with *hooks* (None: every hook of the manifest,
        as ``try-repo`` without a hook id)."""
        with tempfile.TemporaryDirectory(prefix="pre-commit-config-") as folder:
            config = Path(folder) / ".pre-commit-config.yaml"
            config.write_text(self.config(hooks or manifest_hooks(), hook_args))
            return subprocess.run(
                [PRE_COMMIT, "run", "--config", str(config), *args],
                cwd=repo,
                capture_output=True,
                text=True,
                env=self.env(),
                check=False,
                timeout=300,
            )


def manifest_hooks() -> list[str]:
    """The hook ids of this checkout's ``.pre-commit-hooks.yaml``, sorted as try-repo does."""
    manifest = (CHECKOUT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    return sorted(re.findall(r"^- id: (\S+)$", manifest, flags=re.MULTILINE))


def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def checkout_revision(folder: Path) -> tuple[Path, str]:
    """The checkout and its HEAD; with uncommitted changes to tracked files, a clone in
    *folder* with those changes committed, as ``pre-commit try-repo`` makes its shadow repo."""
    head = _git("rev-parse", "HEAD", cwd=CHECKOUT).strip()
    if (
        subprocess.run(["git", "diff", "--quiet", "--no-ext-diff", "HEAD"], cwd=CHECKOUT).returncode
        == 0
    ):
        return CHECKOUT, head
    shadow = folder / "shadow-repo"
    _git("clone", "-q", str(CHECKOUT), str(shadow), cwd=folder)
    _git("checkout", "-q", head, "-b", "_pc_tmp", cwd=shadow)
    git_dir = shadow / ".git"
    env = {
        **os.environ,
        "GIT_INDEX_FILE": str(git_dir / "index"),
        "GIT_OBJECT_DIRECTORY": str(git_dir / "objects"),
    }
    staged = _git(
        "diff",
        "--staged",
        "--name-only",
        "--no-ext-diff",
        "-z",
        "--diff-filter=ACMRTUXB",
        cwd=CHECKOUT,
    )
    names = [name for name in staged.split("\0") if name]
    if names:
        _git("add", "--", *names, cwd=CHECKOUT, env=env)
    _git("add", "-u", cwd=CHECKOUT, env=env)
    _git(
        "commit",
        "-q",
        "--no-edit",
        "--no-gpg-sign",
        "-n",
        "-m",
        "uncommitted changes",
        cwd=shadow,
        env=git_env(),
    )
    return shadow, _git("rev-parse", "HEAD", cwd=shadow).strip()


def _install(folder: Path) -> HookRepo:
    repo, rev = checkout_revision(folder)
    hooks = HookRepo(repo, rev, folder / "home")
    scratch = folder / "scratch"  # install-hooks wants to run in some git repository
    scratch.mkdir()
    _git("init", "-q", cwd=scratch)
    config = folder / "install.yaml"
    config.write_text(hooks.config(manifest_hooks()))
    installed = subprocess.run(
        [PRE_COMMIT, "install-hooks", "--config", str(config)],
        cwd=scratch,
        capture_output=True,
        text=True,
        env=hooks.env(),
        check=False,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    (folder / "hook-repo.json").write_text(json.dumps({"repo": str(repo), "rev": rev}))
    return hooks


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookRepo]:
    """This checkout's hooks, installed once for the whole run (one pip install, not one
    per call) and shared by every xdist worker: the first to ask installs them while the
    others wait on a lock (pre-commit's store takes concurrent runs), and the last worker
    to finish removes them."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's directory, above each worker's own
    folder = base / "pre-commit-hooks"
    with _locked(base / "pre-commit-hooks.lock"):
        users = folder / "users"
        if users.exists():
            recorded = json.loads((folder / "hook-repo.json").read_text())
            hooks = HookRepo(Path(recorded["repo"]), recorded["rev"], folder / "home")
        else:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            hooks = _install(folder)
            users.write_text("0")
        users.write_text(str(int(users.read_text()) + 1))
    yield hooks
    with _locked(base / "pre-commit-hooks.lock"):
        left = int(users.read_text()) - 1
        if left:
            users.write_text(str(left))
        else:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
