"""The options ``keyguard rotate`` and its subcommands share, as records built once.

:func:`target_options` hands a command one :class:`RotateOptions` (which secret, how to log
in to Vault and reach Klaviyo, how patient to be), :func:`run_options` one
:class:`RunOptions` (what the operator says for this run). :meth:`RotateOptions.resolve`
reads the configuration once and merges it with them: a flag over the configuration over
the default.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

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
from plugins.client.defaults import DEFAULT_BASE_URL, DEFAULT_REVISION
from plugins.errors import UsageError
from rotator import config as config_mod
from rotator.config import Config, Target
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
F = TypeVar("F", bound=Callable[..., object])
C = TypeVar("C", bound=Callable[..., object])


@dataclass(frozen=True)
class SecretChoice:
    """Which secret: a target of the configuration (``--target``, or the only one there
    is), or a ``--vault-path``; ``--field`` and ``--soak`` override what the target says."""

    config: Path | None = None  # the configuration file; None: keyguard.toml or pyproject.toml
    target_name: str | None = None
    vault_path: str | None = None
    field: str | None = None
    soak: str | None = None  # a duration, parsed with the target (a rehearsal never reads it)

    def configuration(self) -> Config:
        """The configuration file, read (once per command: pass the result on)."""
        return config_mod.load(self.config, Path.cwd())

    def target(self, cfg: Config) -> Target:
        """The target these options name in *cfg*, with the options' overrides."""
        if self.target_name:
            target = cfg.target(self.target_name)
        elif self.vault_path:
            target = Target(vault_path=self.vault_path.strip("/"))
        elif len(cfg.targets) == 1:
            (target,) = cfg.targets.values()  # the only one configured needs no naming
        else:
            known = f" (configured: {', '.join(sorted(cfg.targets))})" if cfg.targets else ""
            raise UsageError(f"name the secret: --vault-path MOUNT/PATH or --target NAME{known}")
        return dataclasses.replace(
            target,
            vault_path=self.vault_path.strip("/") if self.vault_path else target.vault_path,
            field=self.field or target.field,
            soak=config_mod.parse_duration(self.soak) if self.soak else target.soak,
        )


@dataclass(frozen=True)
class RotateOptions:
    """What the options of every ``keyguard rotate`` subcommand that opens Vault said."""

    secret: SecretChoice = field(default_factory=SecretChoice)
    login: Login = field(default_factory=Login)
    klaviyo_url: str = DEFAULT_BASE_URL
    klaviyo_revision: str = DEFAULT_REVISION
    klaviyo_timeout: float = 10.0
    audit_log: Path | None = None  # None: [rotation] audit_log, else the per-user default
    min_token_ttl: float = 900.0  # seconds
    revoke_timeout: float = 300.0  # seconds
    poll_interval: float = 2.0  # seconds

    def connect(self, cfg: Config, *, json_events: bool) -> session.Connect:
        """How to reach Vault and Klaviyo, with the audit log *cfg* names unless one was given."""
        configured = Path(cfg.audit_log) if cfg.audit_log else None
        return session.Connect(
            login=self.login,
            klaviyo_url=self.klaviyo_url,
            klaviyo_revision=self.klaviyo_revision,
            klaviyo_timeout=self.klaviyo_timeout,
            audit_log=self.audit_log or configured,
            settings=session.settings_from(
                self.min_token_ttl, self.revoke_timeout, self.poll_interval
            ),
            json_events=json_events,
        )

    def resolve(self, *, json_events: bool) -> tuple[Target, session.Connect]:
        """The target and the connection, from one reading of the configuration."""
        cfg = self.secret.configuration()
        return self.secret.target(cfg), self.connect(cfg, json_events=json_events)


@dataclass(frozen=True)
class RunOptions:
    """What the operator says for one run: where the new key comes from, what is done."""

    non_interactive: bool = False
    new_key_stdin: bool = False
    new_key_fd: int | None = None
    confirm_revoked: bool = False
    confirmed: tuple[str, ...] = ()  # manual integrations done
    break_lock: bool = False
    disable_old_key_via_api: bool = False
    admin_key_fd: int | None = None


_DEFAULT = RotateOptions()


def _apply(f: C, options: list[Callable[[C], C]]) -> C:
    for option in reversed(options):
        f = option(f)
    return f


def target_options(f: F) -> F:
    """The naming, Vault, Klaviyo and timing options, handed to the command as one
    ``options: RotateOptions``."""

    @functools.wraps(f)
    def wrapper(
        *args: object,
        config: Path | None,
        target_name: str | None,
        vault_path: str | None,
        field: str | None,
        soak: str | None,
        vault_auth: str,
        vault_role_id: str | None,
        vault_username: str | None,
        vault_auth_mount: str | None,
        klaviyo_url: str,
        klaviyo_revision: str,
        klaviyo_timeout: float,
        audit_log: Path | None,
        min_token_ttl: float,
        revoke_timeout: float,
        poll_interval: float,
        **kwargs: object,
    ) -> object:
        options = RotateOptions(
            secret=SecretChoice(config, target_name, vault_path, field, soak),
            login=Login(vault_auth, vault_role_id, vault_username, vault_auth_mount),
            klaviyo_url=klaviyo_url,
            klaviyo_revision=klaviyo_revision,
            klaviyo_timeout=klaviyo_timeout,
            audit_log=audit_log,
            min_token_ttl=min_token_ttl,
            revoke_timeout=revoke_timeout,
            poll_interval=poll_interval,
        )
        return f(*args, options=options, **kwargs)

    decorated = _apply(
        wrapper,
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
                default=_DEFAULT.min_token_ttl,
                show_default=True,
                help="Refuse a Vault token that expires sooner (seconds).",
            ),
            click.option(
                "--revoke-timeout",
                type=float,
                default=_DEFAULT.revoke_timeout,
                show_default=True,
                help="How long to wait for Klaviyo to reject the old key (seconds).",
            ),
            click.option(
                "--poll-interval",
                type=float,
                default=_DEFAULT.poll_interval,
                show_default=True,
                help="First wait between those checks; it grows (seconds).",
            ),
        ],
    )
    return cast(F, decorated)


def run_options(f: F) -> F:
    """How the new key and the operator's answers arrive, handed to the command as one
    ``run: RunOptions``."""

    @functools.wraps(f)
    def wrapper(
        *args: object,
        non_interactive: bool,
        new_key_stdin: bool,
        new_key_fd: int | None,
        confirm_revoked: bool,
        confirmed: tuple[str, ...],
        break_lock: bool,
        disable_old_key_via_api: bool,
        admin_key_fd: int | None,
        **kwargs: object,
    ) -> object:
        run = RunOptions(
            non_interactive=non_interactive,
            new_key_stdin=new_key_stdin,
            new_key_fd=new_key_fd,
            confirm_revoked=confirm_revoked,
            confirmed=confirmed,
            break_lock=break_lock,
            disable_old_key_via_api=disable_old_key_via_api,
            admin_key_fd=admin_key_fd,
        )
        return f(*args, run=run, **kwargs)

    decorated = _apply(
        wrapper,
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
    return cast(F, decorated)
