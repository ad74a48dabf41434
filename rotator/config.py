"""Rotation targets from ``keyguard.toml`` or ``[tool.keyguard]`` in ``pyproject.toml``.

[targets.storefront]
vault_path = "secret/klaviyo/storefront"
field = "private_key"                 # optional
scopes = ["accounts:read", "events:write"]
soak = "10m"
[[targets.storefront.integrations]]
name = "reload-web"
kind = "http"                         # manual | http | command
url = "https://web.internal/-/reload"
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from plugins.errors import UsageError
from rotator.integrations import KINDS, Integration

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DEFAULT_FIELD = "private_key"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class Target:
    vault_path: str
    field: str = DEFAULT_FIELD
    name: str | None = None
    scopes: tuple[str, ...] = ()
    soak: timedelta = timedelta(0)
    integrations: tuple[Integration, ...] = ()

    @property
    def label(self) -> str:
        return self.name or self.vault_path


def parse_duration(text: str) -> timedelta:
    """``90d``, ``10m``, ``30s``, ``2h``, ``1w`` or plain seconds."""
    m = _DURATION.match(str(text))
    if not m:
        raise UsageError(f"'{text}' is not a duration; write e.g. 30s, 10m, 2h or 90d")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2)])


def _integration(target: str, raw: Mapping[str, Any]) -> Integration:
    name, kind = raw.get("name"), raw.get("kind", "manual")
    if not isinstance(name, str) or not name or kind not in KINDS:
        raise UsageError(f"target {target}: each integration needs a name and a kind in {KINDS}")
    command = raw.get("command", ())
    if kind == "command" and (not isinstance(command, list) or not command):
        raise UsageError(f"integration {name}: 'command' must be a list of arguments")
    if kind == "http" and not isinstance(raw.get("url"), str):
        raise UsageError(f"integration {name}: an http integration needs a 'url'")
    return Integration(
        name=name,
        kind=kind,
        description=str(raw.get("description", "")),
        url=raw.get("url"),
        method=str(raw.get("method", "POST")).upper(),
        command=tuple(str(c) for c in command),
        timeout=float(raw.get("timeout", 30.0)),
    )


def _target(name: str, raw: Mapping[str, Any]) -> Target:
    path = raw.get("vault_path")
    if not isinstance(path, str) or "/" not in path:
        raise UsageError(f"target {name}: vault_path must be MOUNT/PATH")
    return Target(
        vault_path=path,
        field=str(raw.get("field", DEFAULT_FIELD)),
        name=name,
        scopes=tuple(str(s) for s in raw.get("scopes", ())),
        soak=parse_duration(str(raw.get("soak", "0"))),
        integrations=tuple(_integration(name, i) for i in raw.get("integrations", ())),
    )


@dataclass(frozen=True)
class Config:
    targets: Mapping[str, Target]
    audit_log: str | None = None

    def target(self, name: str) -> Target:
        try:
            return self.targets[name]
        except KeyError:
            known = ", ".join(sorted(self.targets)) or "none"
            raise UsageError(f"no target '{name}' in the configuration (known: {known})") from None


def parse(data: Mapping[str, Any]) -> Config:
    targets = data.get("targets", {})
    if not isinstance(targets, dict):
        raise UsageError("'targets' in the keyguard configuration must be a table")
    audit = data.get("rotation", {}).get("audit_log")
    return Config(
        targets={n: _target(n, t) for n, t in targets.items()},
        audit_log=str(audit) if audit else None,
    )


def load(path: Path | None, cwd: Path) -> Config:
    """An explicit file, else ``keyguard.toml``, else ``[tool.keyguard]`` in ``pyproject.toml``."""
    candidates = [path] if path else [cwd / "keyguard.toml", cwd / "pyproject.toml"]
    for candidate in candidates:
        if candidate is None or not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"cannot read {candidate}: {exc}") from None
        if candidate.name == "pyproject.toml" and path is None:
            data = data.get("tool", {}).get("keyguard")
            if data is None:
                continue
        return parse(data)
    if path is not None:
        raise UsageError(f"configuration file {path} not found")
    return Config(targets={})
