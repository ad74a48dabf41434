"""Running a rotation from the command line: interactive, non-interactive, dry run, rehearsal."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import click
from rich.console import Console

from keyguard import error_wording
from keyguard.commands.keys import DEFAULT_ADMIN_ENV as ADMIN_ENV
from keyguard.exit_codes import (
    EXIT_CLEAN,
    EXIT_CONFLICT,
    EXIT_INTERRUPTED,
    EXIT_WAITING_INTEGRATIONS,
    EXIT_WAITING_NEW_KEY,
    EXIT_WAITING_REVOKE,
)
from keyguard.rehearsal.rotation import rehearsal_world
from keyguard.rotate import hints, session
from keyguard.rotate.checklist import render
from keyguard.rotate.hints import runnable_hints
from keyguard.rotate.operators import FlagOperator, PromptOperator, RehearsalOperator
from keyguard.rotate.options import RotateOptions, RunOptions
from plugins.errors import UsageError
from plugins.pattern import Secret
from rotator import config as config_mod
from rotator.config import Target
from rotator.errors import NewKeyRejected
from rotator.operator import Operator, Outcome, Waiting
from rotator.preflight import dry_run
from rotator.runbook import Runbook
from rotator.states import State

#: A rotation that stops to wait for a human ends with the code of what it waits for.
EXIT_WAITING = {
    Waiting.NEW_KEY: EXIT_WAITING_NEW_KEY,
    Waiting.REVOKE: EXIT_WAITING_REVOKE,
    Waiting.INTEGRATIONS: EXIT_WAITING_INTEGRATIONS,
}


def print_json(data: Mapping[str, object]) -> None:
    sys.stdout.write(json.dumps(data, sort_keys=True) + "\n")
    sys.stdout.flush()


def interactive(run: RunOptions) -> bool:
    """Prompts only on a terminal: without one, keyguard never waits on a human."""
    return not run.non_interactive and sys.stdin.isatty() and not run.new_key_stdin


def exit_code(outcome: Outcome) -> int:
    if outcome.waiting is not None:
        return EXIT_WAITING[outcome.waiting]
    return EXIT_CONFLICT if outcome.journal.state is State.CONFLICT else EXIT_CLEAN


def _admin_key(run: RunOptions, is_tty: bool) -> Secret | None:
    """An admin key (credentials:read/write) checks the new key's scopes and can disable
    the old key; from a descriptor, the environment (as ``keyguard keys`` takes it) or a
    hidden prompt, never argv. Integration commands never inherit it."""
    if run.admin_key_fd is not None:
        text = session.fd_reader(run.admin_key_fd)()
    elif os.environ.get(ADMIN_ENV):
        text = os.environ[ADMIN_ENV]
    elif not run.disable_old_key_via_api:
        return None
    elif is_tty:
        text = click.prompt("Admin key with credentials:write (hidden)", hide_input=True, err=True)
    else:
        raise UsageError(
            f"--disable-old-key-via-api needs --admin-key-fd or {ADMIN_ENV} without a terminal"
        )
    if not text or not text.strip():
        raise UsageError("no admin key was given")
    return Secret(text.strip())


def drive(options: RotateOptions, run: RunOptions, *, resume_only: bool) -> int:
    with runnable_hints(options, starting=not resume_only):
        return _drive(options, run, resume_only=resume_only)


def stopped_line(options: RotateOptions) -> str:
    return f"Stopped here; run `{hints.command(options)}` to continue."


def _drive(options: RotateOptions, run: RunOptions, *, resume_only: bool) -> int:
    is_tty = interactive(run)
    target, connect = options.resolve(json_events=not is_tty)
    known = [step.name for step in target.integrations]
    for name in run.confirmed:
        if name not in known:
            # A typo would leave the rotation waiting on the real name with no hint.
            raise UsageError(
                f"--confirm {name}: target {target.label} has no such integration "
                f"(known: {', '.join(known) or 'none'})"
            )
    console = Console(stderr=not is_tty, highlight=False)
    admin = _admin_key(run, is_tty)
    try:
        with session.runbook_for(
            target,
            connect,
            console,
            admin_key=admin,
            disable_old_key=run.disable_old_key_via_api,
        ) as runbook:
            if is_tty:
                return _drive_interactive(runbook, target, console, options, run, resume_only)
            return _run(runbook, run, resume_only=resume_only)
    except (KeyboardInterrupt, click.exceptions.Abort):
        # Ctrl-C stops the run where it is (the journal and the lock are settled); the
        # rotation is not ABORTED, which is a state of its own: say how to go on.
        console.print("")
        console.print(stopped_line(options))
        return EXIT_INTERRUPTED


def _run(runbook: Runbook, run: RunOptions, *, resume_only: bool) -> int:
    """Without a terminal: the key and the answers come from the options, events as JSON."""
    reader = None
    if run.new_key_stdin:
        reader = session.stdin_reader()
    elif run.new_key_fd is not None:
        reader = session.fd_reader(run.new_key_fd)
    operator = FlagOperator(
        reader,
        confirmed=frozenset(run.confirmed),
        revoked=run.confirm_revoked,
        notify=print_json,
    )
    outcome = runbook.run(operator, resume_only=resume_only, break_lock=run.break_lock)
    # A key typed at a terminal is only asked for when needed; piped or passed by
    # descriptor, one the run never used may be a second operator's: never drop it.
    unused = (
        operator.unused_key()
        if reader is not None and (run.new_key_fd is not None or not sys.stdin.isatty())
        else None
    )
    if unused is not None:
        runbook.refuse_unused_key(outcome.journal, unused)
    waiting = outcome.waiting.name.lower() if outcome.waiting else None
    print_json({"result": outcome.journal.state.value, "waiting_for": waiting})
    return exit_code(outcome)


def _drive_interactive(
    runbook: Runbook,
    target: Target,
    console: Console,
    options: RotateOptions,
    run: RunOptions,
    resume_only: bool,
) -> int:
    operator: Operator = PromptOperator(console, target, revoked=run.confirm_revoked)
    while True:
        try:
            outcome = runbook.run(operator, resume_only=resume_only, break_lock=run.break_lock)
            break
        except NewKeyRejected as exc:
            # A mistyped or wrong key is the common case: say why and ask again, as often as
            # needed (an empty answer stops). Other refusals cannot be fixed by a new paste.
            console.print(f"[red]{error_wording.message(exc)}[/red]")
    console.print(render(target, outcome.journal))
    if outcome.waiting is not None:
        console.print(stopped_line(options))
    elif outcome.journal.state is State.DONE:
        console.print("[green]Done:[/green] the new key is in Vault and the old key is dead.")
    return exit_code(outcome)


def check_only(options: RotateOptions, run: RunOptions) -> int:
    """``--dry-run``: every check a rotation makes before writing; nothing is written."""
    with runnable_hints(options, starting=True):
        return _check_only(options, run)


def _check_only(options: RotateOptions, run: RunOptions) -> int:
    target, connect = options.resolve(json_events=True)
    console = Console(stderr=True, highlight=False)
    key: Secret | None = None
    if run.new_key_stdin:
        text = sys.stdin.readline().strip()
        key = Secret(text) if text else None
    with session.runbook_for(target, connect, console) as runbook:
        passed = dry_run(
            runbook.store,
            runbook.checker,
            target.field,
            new_key=key,
            min_ttl_seconds=int(options.min_token_ttl),
        )
    for line in passed:
        console.print(f"[green]✓[/green] {line}")
    console.print("Dry run: nothing was written.")
    return EXIT_CLEAN


def rehearse(options: RotateOptions, run: RunOptions) -> int:
    """The whole runbook against a throwaway OpenBao and the Klaviyo stand-in, fake keys."""
    is_tty = interactive(run)
    console = Console(stderr=not is_tty, highlight=False)
    console.print("[bold]Rehearsal[/bold]: a throwaway OpenBao dev server and a Klaviyo stand-in;")
    console.print("the keys are made up on the spot and never existed in Klaviyo.\n")
    with rehearsal_world() as world, tempfile.TemporaryDirectory() as tmp:
        target = Target(vault_path=world.vault_path, name="rehearsal")
        # --config is not read (the rehearsal names its own target and audit log), but the
        # working directory's configuration is, as it always was: a broken one stops it.
        connect = options.connect(config_mod.load(None, Path.cwd()), json_events=not is_tty)
        connect = replace(
            connect,
            klaviyo_url=world.klaviyo_url,
            audit_log=options.audit_log or Path(tmp) / "audit.jsonl",
            settings=session.settings_from(60.0, 10.0, 0.2),
        )
        with session.runbook_for(target, connect, console, vault=world.vault) as runbook:
            operator = RehearsalOperator(world, console, pause=is_tty)
            outcome = runbook.run(operator)
        console.print(render(target, outcome.journal))
    if not is_tty:
        print_json({"result": outcome.journal.state.value, "waiting_for": None})
    return exit_code(outcome)
