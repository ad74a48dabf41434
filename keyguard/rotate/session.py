"""Wiring for ``keyguard rotate``: Vault connection, Klaviyo client, audit log, event output."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import httpx
from rich.console import Console

from plugins.client.api import DEFAULT_BASE_URL, ENV_URL, KlaviyoClient
from plugins.errors import UsageError
from plugins.pattern import Secret
from rotator import vault_env
from rotator.admin import describer, disabler, scope_reader
from rotator.audit_log import AuditLog
from rotator.checker import KeyChecker
from rotator.config import Target
from rotator.gates import Polling
from rotator.operator import Settings
from rotator.recorder import Event
from rotator.runbook import Runbook
from rotator.vault import VaultStore


@dataclass(frozen=True)
class Connect:
    """How to reach Vault and Klaviyo, and where events go (all from options and env)."""

    login: vault_env.Login
    klaviyo_url: str | None
    klaviyo_revision: str
    klaviyo_timeout: float
    audit_log: Path | None
    settings: Settings
    json_events: bool


def default_audit_log(environ: Mapping[str, str], home: Path) -> Path:
    state = environ.get("XDG_STATE_HOME") or str(home / ".local" / "state")
    return Path(state) / "keyguard" / "rotations.jsonl"


def event_record(event: Event, vault_path: str) -> dict[str, object]:
    return {
        "event": event.kind,
        "at": event.at,
        "rotation_id": event.rotation_id,
        "state": event.state.value,
        "vault_path": vault_path,
        **dict(event.details),
    }


def vault_client(connect: Connect) -> Any:
    conn = vault_env.resolve(os.environ, Path.home())

    def secret(what: str) -> str:
        # Credentials for a login never come from argv: a prompt, or the environment.
        env_name = "KEYGUARD_VAULT_SECRET"
        if os.environ.get(env_name):
            return os.environ[env_name]
        if not sys.stdin.isatty():
            # Without a terminal a prompt would read stdin, which may carry the new key.
            raise UsageError(f"no terminal to ask for the {what}: set {env_name}")
        return str(click.prompt(what, hide_input=True, err=True))

    return vault_env.connect(conn, connect.login, secret=secret)


@contextmanager
def runbook_for(
    target: Target,
    connect: Connect,
    console: Console,
    *,
    checker: KeyChecker | None = None,
    vault: Any = None,
    admin_key: Secret | None = None,
    disable_old_key: bool = False,
) -> Iterator[Runbook]:
    audit = AuditLog(connect.audit_log or default_audit_log(os.environ, Path.home()))
    store = VaultStore(vault if vault is not None else vault_client(connect), target.vault_path)

    def emit(event: Event) -> None:
        record = audit.append(event_record(event, target.vault_path))
        if connect.json_events:
            sys.stdout.write(json.dumps(record, sort_keys=True) + "\n")
            sys.stdout.flush()
        else:
            console.print(
                f"[green]•[/green] {event.kind.replace('_', ' ')} [dim]({event.state.value})[/dim]"
            )

    url = connect.klaviyo_url or os.environ.get(ENV_URL) or DEFAULT_BASE_URL
    with httpx.Client(trust_env=True) as http:
        client = KlaviyoClient(
            url, revision=connect.klaviyo_revision, timeout=connect.klaviyo_timeout, http=http
        )
        disable = disabler(client, admin_key) if admin_key and disable_old_key else None
        scopes = scope_reader(client, admin_key) if admin_key is not None else None
        describe = describer(client, admin_key) if admin_key is not None else None
        yield Runbook(
            store,
            checker or client,
            target,
            emit=emit,
            http=http,
            settings=connect.settings,
            sleep=time.sleep,
            monotonic=time.monotonic,
            disable_old_key=disable,
            scopes_of=scopes,
            describe_key=describe,
        )


def settings_from(min_token_ttl: float, revoke_timeout: float, poll_interval: float) -> Settings:
    from datetime import timedelta

    return Settings(
        min_token_ttl=timedelta(seconds=min_token_ttl),
        polling=Polling(timeout=revoke_timeout, interval=poll_interval),
    )


def stdin_reader() -> Callable[[], str | None]:
    def read() -> str | None:
        if sys.stdin.isatty():
            # Typed by a person: do not echo it onto the screen (and into scrollback).
            return str(click.prompt("New key", hide_input=True, err=True))
        line = sys.stdin.readline()
        return line or None

    return read


def fd_reader(fd: int) -> Callable[[], str | None]:
    def read() -> str | None:
        try:
            data = os.read(fd, 4096)
        except OSError as exc:
            raise UsageError(
                f"cannot read descriptor {fd} ({exc.strerror}); open it for keyguard, "
                f"e.g. {fd}<key.txt"
            ) from None
        return data.decode("utf-8", "replace").splitlines()[0] if data else None

    return read
