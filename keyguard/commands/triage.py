"""``keyguard triage``: each key of REPORT.json... tied to the stored key, its status and
its rotation, with a verdict and the next step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import click

from keyguard.klaviyo_options import klaviyo_url_options, verifier_options
from keyguard.output import stderr, write_rich, write_text
from keyguard.rotate.options import RotateOptions, SecretChoice
from keyguard.triage import purge
from keyguard.triage.model import Triage
from keyguard.triage.outcome import exit_code
from keyguard.triage.purge import PurgePlan
from keyguard.triage.run import Checking, TriageOptions
from keyguard.triage.run import triage as run_triage
from rotator.holdings import DEFAULT_CONCURRENCY
from rotator.vault_env import AUTH_METHODS, Login


class Renderer(Protocol):
    def __call__(
        self, triage: Triage, /, *, show_secrets: bool = ..., plan: PurgePlan | None = ...
    ) -> str: ...


FORMATS = ("console", "json", "markdown", "html")


@click.command(
    epilog="Exit codes: 0 nothing works (every key revoked or retired), 1 a live or limited "
    "key (or a retired key working again), 2 usage error (no report could be read), "
    "3 nothing works but something could not be checked (a report, a target, a key)."
)
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--no-verify", is_flag=True, help="Do not ask Klaviyo; keys are 'unverified'.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="console", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--show-secrets", is_flag=True, help="Print whole keys instead of pk_…abcd.")
@click.option(
    "--purge-plan",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write git filter-repo --replace-text expressions for these keys to this file, "
    "and show the plan: the commands, the refs still holding each key.",
)
@click.option("--config", type=click.Path(path_type=Path), help="Config file (targets).")
@click.option("--audit-log", type=click.Path(path_type=Path), help="The rotations' audit JSONL.")
@click.option("--vault-auth", type=click.Choice(AUTH_METHODS), default="token")
@click.option("--vault-role-id", help="AppRole role id (secret id: prompt/env).")
@click.option("--vault-username", help="userpass user (password: prompt/env).")
@click.option("--vault-auth-mount", help="Mount of the auth method.")
@click.option(
    "--vault-concurrency",
    type=click.IntRange(1, 64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Vault reads in flight at once.",
)
@klaviyo_url_options
@verifier_options
def triage(
    reports: tuple[Path, ...],
    no_verify: bool,
    fmt: str,
    output: Path | None,
    show_secrets: bool,
    purge_plan: Path | None,
    config: Path | None,
    audit_log: Path | None,
    vault_auth: str,
    vault_role_id: str | None,
    vault_username: str | None,
    vault_auth_mount: str | None,
    vault_concurrency: int,
    klaviyo_url: str,
    klaviyo_revision: str,
    klaviyo_timeout: float,
    verify_concurrency: int,
    verify_budget: float,
) -> int:
    """Tie each key of REPORT.json... to Vault, Klaviyo and the rotations: what to do next.

    REPORT.json files are written by `scan`, `sweep` or `merge` with --format json. Each
    distinct key is checked against Klaviyo (one request per key; --no-verify to skip),
    compared by fingerprint with every version of every target of keyguard.toml, and
    matched with the rotation journals and the audit log. Most dangerous first.
    """
    options = TriageOptions(
        reports=reports,
        rotate=RotateOptions(
            secret=SecretChoice(config),
            login=Login(vault_auth, vault_role_id, vault_username, vault_auth_mount),
            klaviyo_url=klaviyo_url,
            klaviyo_revision=klaviyo_revision,
            klaviyo_timeout=klaviyo_timeout,
            audit_log=audit_log,
        ),
        checking=None
        if no_verify
        else Checking(
            klaviyo_url, klaviyo_revision, klaviyo_timeout, verify_concurrency, verify_budget
        ),
        vault_concurrency=vault_concurrency,
        show_secrets=show_secrets,
    )
    result = run_triage(options)
    for note in result.notes:
        stderr(f"keyguard: note: {note.text}")
    plan = None
    if purge_plan is not None:
        plan = purge.plan(result.keys, purge_plan)
        write_text(plan.text(), purge_plan)
    if fmt == "console":
        from keyguard.render.triage_console import render as render_console

        shown = render_console(result, show_secrets=show_secrets, plan=plan)
        write_rich(shown, output, reveal=show_secrets)
    else:
        text = RENDERERS[fmt]()(result, show_secrets=show_secrets, plan=plan)
        write_text(text, output, reveal=show_secrets)
    return exit_code(result)


def _json() -> Renderer:
    from keyguard.render.triage_json import render

    return render


def _markdown() -> Renderer:
    from keyguard.render.triage_markdown import render

    return render


def _html() -> Renderer:
    from keyguard.render.triage_html import render

    return render


#: Each machine or document format, imported only when asked for.
RENDERERS: dict[str, Callable[[], Renderer]] = {"json": _json, "markdown": _markdown, "html": _html}
