"""``keyguard rotate``: the guided, crash-safe rotation of a key stored in Vault."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from keyguard import rotate_session as session
from keyguard.checklist import plan_markdown, render
from keyguard.rotate_operators import FlagOperator, PromptOperator
from plugins.errors import UsageError
from plugins.pattern import Secret
from rotator import config as config_mod
from rotator.config import Target
from rotator.errors import EXIT_CONFLICT, GateError
from rotator.journal import LAST_DONE, Journal
from rotator.runbook import Outcome, Runbook
from rotator.states import State
from rotator.vault_env import AUTH_METHODS, Login

EXIT_HELP = (
    "Exit codes: 0 done (or nothing left to do), 10 waiting for the new key, 11 waiting for "
    "the old key to be disabled, 12 waiting for integrations to be confirmed, 2 usage error, "
    "4 a step failed (the journal says where; resume continues), 5 conflict, 6 locked by "
    "another process."
)
F = TypeVar("F", bound=Callable[..., Any])


def target_options(f: F) -> F:
    for option in reversed(
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
            click.option(
                "--klaviyo-url", help=f"Klaviyo API base URL [${session.ENV_KLAVIYO_URL}]."
            ),
            click.option("--audit-log", type=click.Path(path_type=Path), help="Audit JSONL."),
            click.option("--min-token-ttl", type=float, default=900.0, show_default=True),
            click.option("--revoke-timeout", type=float, default=300.0, show_default=True),
            click.option("--poll-interval", type=float, default=2.0, show_default=True),
        ]
    ):
        f = option(f)
    return f


def run_options(f: F) -> F:
    for option in reversed(
        [
            click.option("--non-interactive", is_flag=True, help="Never prompt; JSON events."),
            click.option("--new-key-stdin", is_flag=True, help="Read the new key from stdin."),
            click.option("--new-key-fd", type=int, help="Read the new key from this descriptor."),
            click.option("--confirm-revoked", is_flag=True, help="The old key is disabled."),
            click.option("--confirm", "confirmed", multiple=True, help="Manual step done."),
            click.option("--break-lock", is_flag=True, help="Take over a dead process's lock."),
        ]
    ):
        f = option(f)
    return f


def _target(o: dict[str, Any]) -> Target:
    cfg = config_mod.load(o["config"], Path.cwd())
    if o["target_name"]:
        target = cfg.target(o["target_name"])
    elif o["vault_path"]:
        target = Target(vault_path=o["vault_path"].strip("/"))
    else:
        raise UsageError("name the secret: --vault-path MOUNT/PATH or --target NAME")
    changes: dict[str, Any] = {}
    if o["field"]:
        changes["field"] = o["field"]
    if o["soak"]:
        changes["soak"] = config_mod.parse_duration(o["soak"])
    if o["vault_path"] and o["target_name"]:
        changes["vault_path"] = o["vault_path"].strip("/")
    from dataclasses import replace

    return replace(target, **changes) if changes else target


def _connect(o: dict[str, Any], json_events: bool) -> session.Connect:
    cfg_audit = config_mod.load(o["config"], Path.cwd()).audit_log
    return session.Connect(
        login=Login(
            o["vault_auth"], o["vault_role_id"], o["vault_username"], o["vault_auth_mount"]
        ),
        klaviyo_url=o["klaviyo_url"],
        audit_log=o["audit_log"] or (Path(cfg_audit) if cfg_audit else None),
        settings=session.settings_from(o["min_token_ttl"], o["revoke_timeout"], o["poll_interval"]),
        json_events=json_events,
    )


def _interactive(o: dict[str, Any]) -> bool:
    return not o.get("non_interactive") and sys.stdin.isatty() and not o.get("new_key_stdin")


def _exit_code(outcome: Outcome) -> int:
    if outcome.waiting is not None:
        return outcome.waiting.value
    return EXIT_CONFLICT if outcome.journal.state is State.CONFLICT else 0


def _drive(o: dict[str, Any], *, resume_only: bool) -> int:
    target = _target(o)
    interactive = _interactive(o)
    console = Console(stderr=not interactive, highlight=False)
    with session.runbook_for(target, _connect(o, not interactive), console) as runbook:
        if interactive:
            return _drive_interactive(runbook, target, console, o, resume_only=resume_only)
        reader = None
        if o["new_key_stdin"]:
            reader = session.stdin_reader()
        elif o["new_key_fd"] is not None:
            reader = session.fd_reader(o["new_key_fd"])
        operator = FlagOperator(
            reader, confirmed=frozenset(o["confirmed"]), revoked=o["confirm_revoked"]
        )
        outcome = runbook.run(operator, resume_only=resume_only, break_lock=o["break_lock"])
        _print_json({"result": outcome.journal.state.value, **_waiting(outcome)})
        return _exit_code(outcome)


def _drive_interactive(
    runbook: Runbook, target: Target, console: Console, o: dict[str, Any], *, resume_only: bool
) -> int:
    operator = PromptOperator(console, target, revoked=o["confirm_revoked"])
    for attempt in range(3):
        try:
            outcome = runbook.run(operator, resume_only=resume_only, break_lock=o["break_lock"])
            break
        except GateError as exc:
            # A mistyped or wrong key is the common case: say why and ask again.
            if attempt == 2:
                raise
            console.print(f"[red]{exc}[/red]")
    console.print(render(target, outcome.journal))
    if outcome.waiting is not None:
        console.print("Stopped here; run `keyguard rotate resume` to continue.")
    elif outcome.journal.state is State.DONE:
        console.print("[green]Done:[/green] the new key is in Vault and the old key is dead.")
    return _exit_code(outcome)


def _waiting(outcome: Outcome) -> dict[str, Any]:
    return {"waiting_for": outcome.waiting.name.lower() if outcome.waiting else None}


def _print_json(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, sort_keys=True) + "\n")
    sys.stdout.flush()


def status_record(journal: Journal | None, custom: dict[str, str], path: str) -> dict[str, Any]:
    fields = ("rotation_id", "base_version", "new_version", "started_at", "updated_at")
    record: dict[str, Any] = {"vault_path": path, "state": None, **dict.fromkeys(fields)}
    record["last_completed_at"] = custom.get(LAST_DONE)
    if journal is not None:
        record.update({f: getattr(journal, f) for f in fields})
        record.update(
            state=journal.state.value,
            field=journal.field,
            account_id=journal.account_id,
            key_label=journal.key_label,
            intent=journal.intent,
            integrations_done=sorted(journal.integrations_done),
            revoke_confirmed=journal.revoke_confirmed,
            error=journal.error,
        )
    return record


@click.group(invoke_without_command=True, epilog=EXIT_HELP)
@target_options
@run_options
@click.option("--dry-run", is_flag=True, help="Run every check, write nothing.")
@click.pass_context
def rotate(ctx: click.Context, /, **o: Any) -> int | None:
    """Rotate a Klaviyo private key stored in Vault, or continue the rotation in progress.

    A human creates the new key in Klaviyo; keyguard verifies it, writes it to Vault with
    check-and-set, walks the integrations, waits for the old key to be disabled and proves
    it dead. Interrupt it at any point; run it again (or `resume`) to continue.
    """
    if ctx.invoked_subcommand is not None:
        return None
    if o["dry_run"]:
        return _dry_run(o)
    return _drive(o, resume_only=False)


def _dry_run(o: dict[str, Any]) -> int:
    from rotator.preflight import dry_run

    target = _target(o)
    console = Console(stderr=True, highlight=False)
    key: Secret | None = None
    if o["new_key_stdin"]:
        text = sys.stdin.readline().strip()
        key = Secret(text) if text else None
    with session.runbook_for(target, _connect(o, True), console) as runbook:
        seconds = int(runbook_settings_ttl(o))
        passed = dry_run(
            runbook.store, runbook.checker, target.field, new_key=key, min_ttl_seconds=seconds
        )
    for line in passed:
        console.print(f"[green]✓[/green] {line}")
    console.print("Dry run: nothing was written.")
    return 0


def runbook_settings_ttl(o: dict[str, Any]) -> float:
    return float(o["min_token_ttl"])


@rotate.command()
@target_options
@run_options
def resume(**o: Any) -> int:
    """Continue the journalled rotation (exit 0 if it already finished)."""
    return _drive(o, resume_only=True)


@rotate.command()
@target_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def status(fmt: str, **o: Any) -> int:
    """Where the rotation of a secret stands, from Vault alone."""
    target = _target(o)
    console = Console(highlight=False)
    with session.runbook_for(target, _connect(o, False), console) as runbook:
        journal, meta = runbook.status()
    record = status_record(journal, dict(meta.custom) if meta else {}, target.vault_path)
    if fmt == "json":
        _print_json(record)
    else:
        console.print(render(target, journal))
    return 0


@rotate.command()
@target_options
def rollback(**o: Any) -> int:
    """Re-publish the old key as a new version (only before the old key is disabled)."""
    target = _target(o)
    console = Console(stderr=True, highlight=False)
    with session.runbook_for(target, _connect(o, True), console) as runbook:
        journal = runbook.rollback()
    console.print(render(target, journal))
    return 0


@rotate.command()
@target_options
def abort(**o: Any) -> int:
    """Abandon a rotation that has not written to Vault yet."""
    target = _target(o)
    console = Console(stderr=True, highlight=False)
    with session.runbook_for(target, _connect(o, True), console) as runbook:
        journal = runbook.abort()
    console.print(render(target, journal))
    return 0


@rotate.command()
@click.option("--target", "target_name", help="A target from keyguard.toml.")
@click.option("--vault-path", help="KV v2 secret as MOUNT/PATH.")
@click.option("--config", type=click.Path(path_type=Path), help="Config file.")
def plan(target_name: str | None, vault_path: str | None, config: Path | None) -> int:
    """Print the runbook for a target as Markdown (for a team's wiki)."""
    o = {
        "target_name": target_name,
        "vault_path": vault_path,
        "config": config,
        "field": None,
        "soak": None,
    }
    sys.stdout.write(plan_markdown(_target(o)))
    return 0
