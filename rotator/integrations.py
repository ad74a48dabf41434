"""Consumers of the key that must pick up the new version: manual, HTTP and command steps.

None of them is ever given the key: an HTTP step calls a reload or health URL, a command
runs without the key in its argv or environment and reads Vault itself if it needs to.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from plugins.errors import ErrorKind
from rotator.errors import RotationError

KINDS = ("manual", "http", "command")
#: keyguard's own credentials, never handed on to a consumer's command.
PRIVATE_ENV = frozenset({"KEYGUARD_VAULT_SECRET", "KEYGUARD_KLAVIYO_ADMIN_KEY"})


class IntegrationError(RotationError):
    """An integration step failed; it is retried on resume (each step is idempotent)."""


@dataclass(frozen=True)
class Integration:
    name: str
    kind: str
    description: str = ""
    url: str | None = None
    method: str = "POST"
    command: tuple[str, ...] = ()
    timeout: float = 30.0


@dataclass(frozen=True)
class Context:
    """Non-secret facts a consumer may need to fetch the new key from Vault itself."""

    vault_path: str
    field: str
    new_version: int
    rotation_id: str
    extra_env: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {
            "KEYGUARD_VAULT_PATH": self.vault_path,
            "KEYGUARD_FIELD": self.field,
            "KEYGUARD_NEW_VERSION": str(self.new_version),
            "KEYGUARD_ROTATION_ID": self.rotation_id,
        }


def run_http(step: Integration, ctx: Context, client: httpx.Client) -> None:
    assert step.url is not None
    try:
        resp = client.request(
            step.method,
            step.url,
            headers={"X-Keyguard-Rotation": ctx.rotation_id},
            timeout=step.timeout,
        )
    except httpx.HTTPError as exc:
        raise IntegrationError(
            f"integration '{step.name}': {step.method} {step.url} failed ({type(exc).__name__})",
            kind=ErrorKind.INTEGRATION_FAILED,
        ) from None
    if not 200 <= resp.status_code < 300:
        raise IntegrationError(
            f"integration '{step.name}': {step.method} {step.url} answered {resp.status_code}, "
            "expected 2xx",
            kind=ErrorKind.INTEGRATION_FAILED,
        )


def run_command(step: Integration, ctx: Context, environ: Mapping[str, str]) -> None:
    env = {k: v for k, v in environ.items() if k not in PRIVATE_ENV}
    env.update(ctx.env())
    env.update(ctx.extra_env)
    try:
        done = subprocess.run(
            list(step.command),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            timeout=step.timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise IntegrationError(
            f"integration '{step.name}': command could not run ({type(exc).__name__})",
            kind=ErrorKind.INTEGRATION_FAILED,
        ) from None
    if done.returncode != 0:
        raise IntegrationError(
            f"integration '{step.name}': command exited {done.returncode}",
            kind=ErrorKind.INTEGRATION_FAILED,
        )


def run_automatic(
    step: Integration, ctx: Context, *, http: httpx.Client, environ: Mapping[str, str] | None = None
) -> None:
    if step.kind == "http":
        run_http(step, ctx, http)
    elif step.kind == "command":
        run_command(step, ctx, os.environ if environ is None else environ)
    else:
        raise IntegrationError(f"integration '{step.name}' of kind {step.kind} is not automatic")
