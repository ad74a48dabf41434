"""Minimal baseline reader; the full detect-secrets-compatible module replaces this."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from plugins.errors import KeyguardError
from plugins.pattern import Secret
from scanner.findings import Finding


class BaselineError(KeyguardError):
    exit_code = 2


@dataclass(frozen=True)
class Baseline:
    hashes: frozenset[str]

    def contains(self, secret: Secret) -> bool:
        return secret.baseline_hash in self.hashes


def load(path: Path) -> Baseline:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        results = doc["results"]
        hashes = frozenset(
            entry["hashed_secret"] for entries in results.values() for entry in entries
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BaselineError(f"{path}: not a readable detect-secrets baseline ({exc})") from None
    return Baseline(hashes)


def update(path: Path, findings: Sequence[Finding], *, root: Path) -> None:
    raise BaselineError("--update-baseline is not available in this build yet")
