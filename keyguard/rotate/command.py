"""``keyguard rotate``: the guided, crash-safe rotation of a key stored in Vault."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from keyguard.exit_codes import EXIT_CLEAN, EXIT_FINDINGS
from keyguard.rotate import drive, session
from keyguard.rotate.checklist import plan_markdown, render
from keyguard.rotate.hints import runnable_hints
from keyguard.rotate.options import (
    EXIT_HELP,
    RotateOptions,
    RunOptions,
    SecretChoice,
    run_options,
    target_options,
)
from plugins.errors import UsageError
from rotator import config as config_mod
from rotator.audit_log import verify as audit_verify
from rotator.journal import LAST_DONE, Journal
from rotator.policy import survey
from rotator.runbook import Runbook
from rotator.vault import VaultStore


@click.group(invoke_without_command=True, epilog=EXIT_HELP)
@target_options
@run_options
@click.option("--dry-run", is_flag=True, help="Run every check, write nothing.")
@click.option("--rehearse", is_flag=True, help="Practise on a throwaway OpenBao + stand-in.")
@click.option(
    "--finding",
    metavar="FINGERPRINT",
    help="The target whose current version holds this key (12+ hex digits of a report's "
    "fingerprint).",
)
@click.pass_context
def rotate(
    ctx: click.Context,
    /,
    *,
    options: RotateOptions,
    run: RunOptions,
    dry_run: bool,
    rehearse: bool,
    finding: str | None,
) -> int | None:
    """Rotate a Klaviyo private key stored in Vault, or continue the rotation in progress.

    A human creates the new key in Klaviyo; keyguard verifies it, writes it to Vault with
    check-and-set, walks the integrations, waits for the old key to be disabled and proves
    it dead. Interrupt it at any point; run it again (or `resume`) to continue.
    """
    if ctx.invoked_subcommand is not None:
        return None
    if finding is not None:
        from keyguard.rotate.finding import with_finding

        options = with_finding(options, finding)
    if rehearse:
        return drive.rehearse(options, run)
    if dry_run:
        return drive.check_only(options, run)
    return drive.drive(options, run, resume_only=False)


@rotate.command()
@target_options
@run_options
def resume(*, options: RotateOptions, run: RunOptions) -> int:
    """Continue the journalled rotation (exit 0 if it already finished)."""
    return drive.drive(options, run, resume_only=True)


def status_record(journal: Journal | None, custom: dict[str, str], path: str) -> dict[str, object]:
    fields = ("rotation_id", "base_version", "new_version", "started_at", "updated_at")
    record: dict[str, object] = {"vault_path": path, "state": None, **dict.fromkeys(fields)}
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


@rotate.command()
@target_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--all", "all_targets", is_flag=True, help="Every configured target.")
@click.option("--max-age", help="With --all: exit 1 when a target is older (e.g. 90d).")
def status(fmt: str, all_targets: bool, max_age: str | None, *, options: RotateOptions) -> int:
    """Where the rotation of a secret stands, from Vault alone."""
    if all_targets:
        return _status_all(options, fmt, max_age)
    with runnable_hints(options):
        return _status_one(options, fmt)


def _status_one(options: RotateOptions, fmt: str) -> int:
    target, connect = options.resolve(json_events=False)
    console = Console(highlight=False)
    with session.runbook_for(target, connect, console) as runbook:
        journal, meta = runbook.status()
    if meta is None:
        raise UsageError(f"no secret at {target.vault_path}; check --vault-path (KV v2 MOUNT/PATH)")
    record = status_record(journal, dict(meta.custom), target.vault_path)
    if fmt == "json":
        drive.print_json(record)
    else:
        console.print(render(target, journal))
    return 0


def _status_all(options: RotateOptions, fmt: str, max_age: str | None) -> int:
    cfg = options.secret.configuration()
    targets = cfg.targets
    if not targets:
        raise UsageError("status --all needs targets in keyguard.toml or [tool.keyguard]")
    age = config_mod.parse_duration(max_age or "90d")
    client = session.vault_client(options.connect(cfg, json_events=False))
    rows = survey(
        targets.values(),
        lambda t: VaultStore(client, t.vault_path),
        now=datetime.now(timezone.utc),
        max_age=age,
    )
    if fmt == "json":
        drive.print_json(
            {"max_age_seconds": age.total_seconds(), "targets": [vars(r) for r in rows]}
        )
    else:
        table = Table("target", "vault path", "last completed", "state", "overdue")
        for r in rows:
            table.add_row(
                r.target,
                r.vault_path,
                r.last_completed_at or "never",
                r.state or "-",
                "[red]yes[/red]" if r.overdue else "no",
            )
        Console(highlight=False).print(table)
    return EXIT_FINDINGS if any(r.overdue for r in rows) else EXIT_CLEAN


def _side_exit(options: RotateOptions, act: Callable[[Runbook], Journal]) -> int:
    console = Console(stderr=True, highlight=False)
    with runnable_hints(options):
        target, connect = options.resolve(json_events=True)
        with session.runbook_for(target, connect, console) as runbook:
            journal = act(runbook)
    console.print(render(target, journal))
    return 0


@rotate.command()
@target_options
def rollback(*, options: RotateOptions) -> int:
    """Re-publish the old key as a new version (only before the old key is disabled)."""
    return _side_exit(options, Runbook.rollback)


@rotate.command()
@target_options
def abort(*, options: RotateOptions) -> int:
    """Abandon a rotation that has not written to Vault yet."""
    return _side_exit(options, Runbook.abort)


@rotate.command()
@click.option("--audit-log", type=click.Path(path_type=Path), help="Audit JSONL.")
@click.option("--config", type=click.Path(path_type=Path), help="Config file.")
@click.option("--verify", is_flag=True, help="Only check the hash chain (exit 1 if broken).")
def history(audit_log: Path | None, config: Path | None, verify: bool) -> int:
    """Print the rotation audit log as JSON, or check that its hash chain is intact.

    The log is --audit-log, else [rotation] audit_log of the configuration (as rotations
    write it), else the per-user default.
    """
    configured = config_mod.load(config, Path.cwd()).audit_log
    path = (
        audit_log
        or (Path(configured) if configured else None)
        or session.default_audit_log(os.environ, Path.home())
    )
    if not path.is_file():
        raise UsageError(f"no audit log at {path}")
    if verify:
        problems = audit_verify(path)
        for problem in problems:
            sys.stderr.write(f"keyguard: {path}: {problem}\n")
        return EXIT_FINDINGS if problems else EXIT_CLEAN
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    sys.stdout.write(json.dumps(records, indent=2, sort_keys=True) + "\n")
    return 0


@rotate.command()
@click.option("--target", "target_name", help="A target from keyguard.toml.")
@click.option("--vault-path", help="KV v2 secret as MOUNT/PATH.")
@click.option("--config", type=click.Path(path_type=Path), help="Config file.")
def plan(target_name: str | None, vault_path: str | None, config: Path | None) -> int:
    """Print the runbook for a target as Markdown (for a team's wiki)."""
    secret = SecretChoice(config, target_name, vault_path)
    sys.stdout.write(plan_markdown(secret.target(secret.configuration())))
    return 0
