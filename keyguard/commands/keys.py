"""``keyguard keys list``: the account's private keys, from Klaviyo's beta API-keys endpoint."""

from __future__ import annotations

import os
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click

from keyguard.exit_codes import EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_USAGE, epilog
from keyguard.keys_report import inventory, render_json
from keyguard.klaviyo_options import klaviyo_url_options, open_client
from keyguard.output import stderr, write_rich, write_text
from plugins.errors import UsageError
from plugins.pattern import KEY_RE, Secret

DEFAULT_ADMIN_ENV = "KEYGUARD_KLAVIYO_ADMIN_KEY"
_AGE = re.compile(r"(\d+)([dw])")


def parse_age(text: str) -> timedelta:
    match = _AGE.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"--max-age {text!r}: use days or weeks, like 90d or 12w")
    n = int(match.group(1))
    return timedelta(days=n) if match.group(2) == "d" else timedelta(weeks=n)


def read_admin_key(env_name: str) -> Secret:
    """The admin key from *env_name*, else the first line of piped stdin; never from argv."""
    value = os.environ.get(env_name)
    if value is None and sys.stdin is not None and not sys.stdin.isatty():
        value = sys.stdin.readline()
    value = (value or "").strip()
    if not value:
        raise UsageError(f"set {env_name} or pipe the admin key on stdin (credentials:read)")
    if not KEY_RE.fullmatch(value):
        raise UsageError(f"the admin key from {env_name} or stdin is not a Klaviyo private key")
    return Secret(value)


@click.group()
def keys() -> None:
    """Inventory of the account's private API keys (Klaviyo's beta API-keys endpoints)."""


@keys.command(
    "list",
    epilog=epilog(
        {
            EXIT_CLEAN: "listed",
            EXIT_FINDINGS: "some active key is older than --max-age",
            EXIT_USAGE: "usage error",
            EXIT_UNREADABLE: "the endpoint failed or is gone (it is beta: use Settings > "
            "API Keys instead)",
        }
    ),
)
@click.option(
    "--admin-key-env",
    default=DEFAULT_ADMIN_ENV,
    show_default=True,
    help="Environment variable holding an admin key with credentials:read (else stdin).",
)
@click.option("--max-age", help="Flag active keys older than this (e.g. 90d, 12w).")
@click.option(
    "--format", "fmt", type=click.Choice(["console", "json"]), default="console", show_default=True
)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False))
@klaviyo_url_options
def list_keys(
    admin_key_env: str,
    max_age: str | None,
    fmt: str,
    output: Path | None,
    klaviyo_url: str,
    klaviyo_revision: str,
    klaviyo_timeout: float,
) -> int:
    """List each private key's name, status, scopes, creation date and redacted suffix."""
    limit = parse_age(max_age) if max_age else None
    admin = read_admin_key(admin_key_env)
    with open_client(klaviyo_url, klaviyo_revision, klaviyo_timeout) as client:
        stderr(f"keyguard: the API-keys endpoint is beta (revision {client.beta_revision}).")
        listed = client.list_api_keys(admin)
    rows = inventory(listed, now=datetime.now(timezone.utc), max_age=limit)
    if fmt == "json":
        write_text(render_json(rows, max_age=max_age), output)
    else:
        from keyguard.render import keys_console  # rich: only for people

        write_rich(keys_console.render(rows), output)
    return EXIT_FINDINGS if any(r.too_old for r in rows) else EXIT_CLEAN
