"""``keyguard rotate --finding FINGERPRINT``: the target whose current version holds a key.

A triage or a report names a key by its fingerprint; the rotation is of the target that
serves it now. The configured targets' current versions are compared by fingerprint in
memory (nothing is written, no key is shown); exactly one must hold it.
"""

from __future__ import annotations

import dataclasses
import re

from keyguard.rotate import session
from keyguard.rotate.options import RotateOptions
from plugins.errors import UsageError
from rotator.holdings import read_holdings
from rotator.vault import VaultStore

#: A prefix this long tells keys apart (48 bits) and is what reports show people.
MIN_PREFIX = 12
_HEX = re.compile(rf"[0-9a-f]{{{MIN_PREFIX},64}}")


def with_finding(options: RotateOptions, prefix: str) -> RotateOptions:
    """*options* naming the one target whose current version holds the key *prefix* names."""
    wanted = prefix.strip().lower()
    if not _HEX.fullmatch(wanted):
        raise UsageError(
            f"--finding takes a key's fingerprint, or its first {MIN_PREFIX} hex digits or more"
        )
    if options.secret.target_name or options.secret.vault_path:
        raise UsageError("--finding names the target itself: drop --target and --vault-path")
    cfg = options.secret.configuration()
    targets = list(cfg.targets.values())
    if not targets:
        raise UsageError("--finding looks in the targets of keyguard.toml, and none is configured")
    client = session.vault_client(options.connect(cfg, json_events=False))
    try:
        holdings = read_holdings(
            targets, lambda t: VaultStore(client, t.vault_path), only_current=True
        )
    finally:
        client.adapter.close()
    holders = sorted(
        {
            r.target.label
            for r in holdings.reads
            if any(
                fp.startswith(wanted) and v == r.current_version for v, fp in r.fingerprints.items()
            )
        }
    )
    if len(holders) > 1:
        raise UsageError(
            f"the key {wanted[:MIN_PREFIX]} is the current version of {len(holders)} targets "
            f"({', '.join(holders)}): rotate each with --target NAME"
        )
    if not holders:
        unread = sorted({n.target.label for n in holdings.notes if n.problem.unchecked})
        also = f"; {', '.join(unread)} could not be read" if unread else ""
        raise UsageError(
            f"no configured target's current version holds the key {wanted[:MIN_PREFIX]} "
            f"({len(targets)} compared{also}): rotate it with --target NAME or --vault-path"
        )
    secret = dataclasses.replace(options.secret, target_name=holders[0])
    return dataclasses.replace(options, secret=secret)
