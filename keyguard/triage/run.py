"""A triage from start to end: read the reports, read Vault and the rotations, get keys
back and ask Klaviyo, decide. Nothing here prints; the command renders what it returns."""

from __future__ import annotations

import dataclasses
import os
import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from keyguard.rotate.hints import naming_args
from keyguard.rotate.options import RotateOptions
from keyguard.triage.assemble import assemble
from keyguard.triage.gather import Stored, gather
from keyguard.triage.inputs import read_reports
from keyguard.triage.model import Triage
from keyguard.triage.status import Check, decide
from keyguard.triage.verdict import Commands
from plugins.errors import UsageError
from rotator.config import Config, Target
from rotator.holdings import DEFAULT_CONCURRENCY
from rotator.vault import VaultStore
from scanner.recover import Recoverer

PURGE_FILE = "purge-expressions.txt"


@dataclass(frozen=True)
class Checking:
    """How to ask Klaviyo (the options every command that verifies shares)."""

    url: str
    revision: str
    timeout: float
    concurrency: int
    budget: float


@dataclass(frozen=True)
class TriageOptions:
    reports: tuple[Path, ...]
    rotate: RotateOptions  # Vault, the configuration, the audit log: as `keyguard rotate`
    checking: Checking | None  # None: --no-verify
    vault_concurrency: int = DEFAULT_CONCURRENCY
    show_secrets: bool = False


def commands_for(options: TriageOptions) -> Commands:
    base = options.rotate

    def rotate(name: str) -> str:
        named = dataclasses.replace(base, secret=dataclasses.replace(base.secret, target_name=name))
        return shlex.join(["keyguard", "rotate", *naming_args(named)])

    again = ["keyguard", "triage", *map(str, options.reports), *naming_args(base)]
    return Commands(
        rotate,
        shlex.join(again),
        shlex.join([*again, "--no-verify", "--purge-plan", PURGE_FILE]),
    )


def audit_path(options: RotateOptions, configured: str | None) -> Path:
    from keyguard.rotate.session import default_audit_log

    if options.audit_log is not None:
        return options.audit_log
    if configured:
        return Path(configured)
    return default_audit_log(os.environ, Path.home())


Connector = Callable[[], Callable[[Target], VaultStore]]


@contextmanager
def _vault(options: TriageOptions, cfg: Config) -> Iterator[Connector]:
    """Log in to Vault the way `keyguard rotate` does, on first use only."""
    clients: list[Any] = []  # hvac has no types

    def connect() -> Callable[[Target], VaultStore]:
        from keyguard.rotate import session

        client = session.vault_client(options.rotate.connect(cfg, json_events=False))
        clients.append(client)
        return lambda target: VaultStore(client, target.vault_path)

    try:
        yield connect
    finally:
        for client in clients:
            client.adapter.close()


@contextmanager
def _checker(checking: Checking | None) -> Iterator[Check | None]:
    if checking is None:
        yield None
        return
    from keyguard.klaviyo_options import make_verifier, open_client

    with open_client(checking.url, checking.revision, checking.timeout) as client:
        verifier = make_verifier(client, checking.concurrency, checking.budget)
        yield verifier.verify


def triage(options: TriageOptions, *, now: datetime | None = None) -> Triage:
    inputs = read_reports(options.reports)
    if not inputs.read:
        raise UsageError("; ".join(n.text for n in inputs.notes))
    cfg = options.rotate.secret.configuration()
    targets = list(cfg.targets.values())
    with _vault(options, cfg) as connect:
        stored: Stored = gather(
            targets,
            connect,
            audit_path(options.rotate, cfg.audit_log),
            audit_named=bool(options.rotate.audit_log or cfg.audit_log),
            concurrency=options.vault_concurrency,
        )
    findings = inputs.report.findings
    recheck = {
        f.fingerprint
        for f in findings
        if f.status.active and stored.rotations.retired(f.fingerprint) is not None
    }
    bases = [Path.cwd(), *dict.fromkeys(p.parent.absolute() for p in inputs.read)]
    with Recoverer(bases) as recoverer, _checker(options.checking) as check:
        statuses = decide(
            findings,
            recover=recoverer.recover,
            check=check,
            recheck=recheck,
            keep_secrets=options.show_secrets,
        )
    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    return assemble(
        inputs.report,
        statuses,
        stored,
        commands_for(options),
        notes=inputs.notes,
        generated_at=stamp,
    )
