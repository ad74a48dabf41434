"""The options ``keyguard rotate`` and its subcommands share, and what they resolve to."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from keyguard.exit_codes import (
    EXIT_CLEAN,
    EXIT_CONFLICT,
    EXIT_FINDINGS,
    EXIT_LOCKED,
    EXIT_STEP_FAILED,
    EXIT_USAGE,
    EXIT_WAITING_INTEGRATIONS,
    EXIT_WAITING_NEW_KEY,
    EXIT_WAITING_REVOKE,
    epilog,
)
from keyguard.klaviyo_options import klaviyo_url_options
from keyguard.rotate import session
from plugins.errors import UsageError
from rotator import config as config_mod
from rotator.config import Target
from rotator.vault_env import AUTH_METHODS, Login

EXIT_HELP = epilog(
    {
        EXIT_CLEAN: "done (or nothing left to do)",
        EXIT_WAITING_NEW_KEY: "waiting for the new key",
        EXIT_WAITING_REVOKE: "waiting for the old key to be disabled",
        EXIT_WAITING_INTEGRATIONS: "waiting for manual integrations (--confirm NAME)",
        EXIT_FINDINGS: "(status --all) a target is overdue",
        EXIT_USAGE: "usage error",
        EXIT_STEP_FAILED: "a step failed (the journal says where; resume continues)",
        EXIT_CONFLICT: "conflict",
        EXIT_LOCKED: "locked by another process",
    }
)
F = TypeVar("F", bound=Callable[..., Any])


def _apply(f: F, options: list[Callable[[F], F]]) -> F:
    for option in reversed(options):
        f = option(f)
    return f


def target_options(f: F) -> F:
    return _apply(
        f,
        [
            click.option("--vault-path", help="KV v2 secret as MOUNT/PATH."),
            click.option("--field", default=None, help="Field holding the key [private_key]."),
            click.option("--target", "target_name", help="A target from keyguard.toml."),
            click.option("--config", type=click.Path(path_type=Path), help="Config file."),
            click.option("--soak", help="Wait this long after integrations (e.g. 10m)."),
            click.option("--vault-auth", type=click.Choice(AUTH_METHODS), default="token"),
            click.option("--vault-role-id", help="AppRole role id (secret id: prompt/env)."),
            click.option("--vault-username", help="userpass user (password: prompt/env)."),
            click.option("--vault-auth-mount", help="Mount of the auth method."),
            klaviyo_url_options,
            click.option("--audit-log", type=click.Path(path_type=Path), help="Audit JSONL."),
            click.option(
                "--min-token-ttl",
                type=float,
                default=900.0,
                show_default=True,
                help="Refuse a Vault token that expires sooner (seconds).",
            ),
            click.option(
                "--revoke-timeout",
                type=float,
                default=300.0,
                show_default=True,
                help="How long to wait for Klaviyo to reject the old key (seconds).",
            ),
            click.option(
                "--poll-interval",
                type=float,
                default=2.0,
                show_default=True,
                help="First wait between those checks; it grows (seconds).",
            ),
        ],
    )


def run_options(f: F) -> F:
    return _apply(
        f,
        [
            click.option("--non-interactive", is_flag=True, help="Never prompt; JSON events."),
            click.option("--new-key-stdin", is_flag=True, help="Read the new key from stdin."),
            click.option("--new-key-fd", type=int, help="Read the new key from this descriptor."),
            click.option("--confirm-revoked", is_flag=True, help="The old key is disabled."),
            click.option("--confirm", "confirmed", multiple=True, help="Manual step done."),
            click.option("--break-lock", is_flag=True, help="Take over a dead process's lock."),
            click.option(
                "--disable-old-key-via-api",
                is_flag=True,
                help="Disable the old key with the beta API (admin key: credentials:write).",
            ),
            click.option(
                "--admin-key-fd",
                type=int,
                help="Read an admin key (credentials:read) from this fd: checks scopes.",
            ),
        ],
    )


def target_from(o: dict[str, Any]) -> Target:
    cfg = config_mod.load(o.get("config"), Path.cwd())
    if o.get("target_name"):
        target = cfg.target(o["target_name"])
    elif o.get("vault_path"):
        target = Target(vault_path=o["vault_path"].strip("/"))
    elif len(cfg.targets) == 1:
        (target,) = cfg.targets.values()  # the only one configured needs no naming
    else:
        known = f" (configured: {', '.join(sorted(cfg.targets))})" if cfg.targets else ""
        raise UsageError(f"name the secret: --vault-path MOUNT/PATH or --target NAME{known}")
    changes: dict[str, Any] = {}
    if o.get("field"):
        changes["field"] = o["field"]
    if o.get("soak"):
        changes["soak"] = config_mod.parse_duration(o["soak"])
    if o.get("vault_path") and o.get("target_name"):
        changes["vault_path"] = o["vault_path"].strip("/")
    return dataclasses.replace(target, **changes)


def connect_from(o: dict[str, Any], json_events: bool) -> session.Connect:
    cfg_audit = config_mod.load(o.get("config"), Path.cwd()).audit_log
    return session.Connect(
        login=Login(
            o["vault_auth"], o["vault_role_id"], o["vault_username"], o["vault_auth_mount"]
        ),
        klaviyo_url=o["klaviyo_url"],
        klaviyo_revision=o["klaviyo_revision"],
        klaviyo_timeout=o["klaviyo_timeout"],
        audit_log=o["audit_log"] or (Path(cfg_audit) if cfg_audit else None),
        settings=session.settings_from(o["min_token_ttl"], o["revoke_timeout"], o["poll_interval"]),
        json_events=json_events,
    )
