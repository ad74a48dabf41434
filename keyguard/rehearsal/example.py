"""A built-in example to run keyguard on with no configuration: ``keyguard demo``.

It builds a small storefront repository whose history leaked keys the way real ones do
(a key committed then "removed", a key inlined into a committed bundle, an old key in a
config file), next to decoys that must not match (Stripe keys, uppercase hex, wrong
lengths, the public site id). Keys are generated on the spot and exist only in the
temporary example and in a local Klaviyo stand-in that answers for them.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from keyguard.rehearsal.klaviyo_standin_model import KeyState


@dataclass(frozen=True)
class Example:
    project: Path
    live: str
    limited: str
    revoked: str


def _fake_key(seed: str, label: str) -> str:
    return "pk_" + hashlib.sha256(f"{seed}:{label}".encode()).hexdigest()[:34]


def _git(project: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Demo Developer",
        "GIT_AUTHOR_EMAIL": "dev@example.invalid",
        "GIT_COMMITTER_NAME": "Demo Developer",
        "GIT_COMMITTER_EMAIL": "dev@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    subprocess.run(["git", "-C", str(project), *args], env=env, check=True, capture_output=True)


def _commit(project: Path, message: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(project, "add", "--all")
    _git(project, "commit", "-q", "-m", message)


def _js_escape(text: str) -> str:
    return "".join(f"\\x{ord(c):02x}" for c in text)


def _decoys(seed: str) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return (
        f'const stripe = "pk_{"live"}_{secrets.token_hex(12)}";  // Stripe: not Klaviyo\n'
        f'const upper = "pk_{digest[:34].upper()}";  // uppercase hex: not Klaviyo\n'
        f'const short = "pk_{digest[:33]}";  // 33 hex digits: not Klaviyo\n'
        'const siteId = "AbC123";  // the public site id is safe to expose\n'
    )


def build_example(root: Path) -> Example:
    """A storefront repository under *root* with three leaked keys in its history."""
    seed = secrets.token_hex(8)
    live, limited, revoked = (_fake_key(seed, n) for n in ("live", "limited", "revoked"))
    project = root / "storefront"
    project.mkdir(parents=True)
    _git(project, "init", "-q", "-b", "main")
    _commit(project, "Legacy config", {"config/legacy.json": f'{{"klaviyo": "{revoked}"}}\n'})
    _commit(
        project,
        "Add Klaviyo newsletter signup",
        {
            "src/klaviyo.js": f'export const client = new KlaviyoAPI({{ apiKey: "{live}" }});\n',
            "src/decoys.js": _decoys(seed),
        },
    )
    _commit(
        project,
        "Read the key from the environment",
        {"src/klaviyo.js": "export const client = new KlaviyoAPI({ apiKey: env.KEY });\n"},
    )
    bundle = "".join(f"function f{i}(a){{return a*{i}}};" for i in range(300))
    _commit(
        project,
        "Commit the build output",
        # The build inlined the key with JS escapes, as minifiers sometimes do.
        {"dist/app.min.js": f'{bundle}var k="{_js_escape(limited[:3])}{limited[3:]}";{bundle}'},
    )
    _git(project, "rm", "-q", "config/legacy.json")
    _git(project, "commit", "-q", "-m", "Remove legacy config")
    return Example(project, live, limited, revoked)


def start_standin(example: Example) -> KlaviyoStandin:
    """A local Klaviyo stand-in that knows the example's keys (one live, one limited, one not)."""
    standin = KlaviyoStandin().start()
    account = standin.add_account()
    standin.add_key(example.live, account=account, state=KeyState.LIVE, name="Storefront")
    standin.add_key(example.limited, account=account, state=KeyState.LIMITED, name="Build")
    standin.add_key(example.revoked, account=account, state=KeyState.DISABLED, name="Legacy")
    return standin
