"""Label a baseline's results as real secrets or false positives (``is_secret``).

detect-secrets 1.5's own ``audit`` crashes on any custom plugin's results (its issue
#611): its argument parser builds the secret-type -> plugin-class map (an
``lru_cache``) before the baseline is read, so the custom plugins the baseline names are
never in it and ``from_secret_type`` raises ``TypeError``. Here the baseline's settings
are applied first, the map is rebuilt, and our plugin's recorded path (absolute, from
whichever machine wrote the baseline) is re-pointed to this installation. detect-secrets
still does what it is good at: finding each secret again with the plugin that found it.

Only ``is_secret`` is written back; the rest of the baseline stays as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plugins import pattern
from scanner.stores import baseline as baseline_file

_VERIFICATION_FILTER = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"

#: Lines shown either side of the line a secret is on.
CONTEXT_LINES = 2

#: (filename as the baseline spells it, hashed_secret, type): one baseline result.
ResultKey = tuple[str, str, str]


@dataclass(frozen=True)
class AuditItem:
    """One unlabelled result, ready to show. ``lines`` hold (line number, text) around it,
    with the secret masked unless the caller asked to reveal it."""

    key: ResultKey
    line_number: int
    lines: tuple[tuple[int, str], ...]
    problem: str | None = None  # why the secret could not be shown (file gone, line moved)

    @property
    def filename(self) -> str:
        return self.key[0]

    @property
    def type(self) -> str:
        return self.key[2]


def mask(secret: str, secret_type: str) -> str:
    """What people see instead of a secret: ours as ``pk_…abcd``, others nearly hidden."""
    if secret_type == pattern.SECRET_TYPE:
        return pattern.redact(secret)
    return "****" + secret[-4:] if len(secret) >= 16 else "****"


def pending(
    path: Path,
    *,
    root: Path,
    reveal: bool = False,
    plugin_file: Path = baseline_file.PLUGIN_FILE,
) -> list[AuditItem]:
    """The results in the baseline at *path* that carry no ``is_secret`` label yet.

    File names in the baseline are relative to *root* (where the scan ran).
    """
    document = baseline_file.read_document(path)
    located: list[tuple[ResultKey, int, str | None, list[str], str | None]] = []
    with _detect_secrets_configured_by(document, plugin_file):
        from detect_secrets.core.potential_secret import PotentialSecret

        for filename, entries in sorted(document["results"].items()):
            for entry in entries:
                if entry.get("is_secret") is not None:
                    continue
                secret = PotentialSecret.load_secret_from_dict(
                    {**entry, "filename": str(root / filename)}
                )
                key = (filename, entry["hashed_secret"], entry["type"])
                located.append((key, int(secret.line_number or 0), *_locate(secret)))
    # Mask every secret found in a file on every line shown from it, not just the one asked
    # about: the line above may hold another.
    masks: dict[str, dict[str, str]] = {}
    for (filename, _, secret_type), _, value, _, _ in located:
        if value:
            masks.setdefault(filename, {})[value] = mask(value, secret_type)
    items = [
        AuditItem(key, line_number, (), problem)
        if problem is not None
        else AuditItem(
            key,
            line_number,
            _context(lines, line_number, None if reveal else masks.get(key[0], {})),
        )
        for key, line_number, _, lines, problem in located
    ]
    items.sort(key=lambda item: (item.filename, item.line_number, item.key))
    return items


def save_labels(path: Path, labels: Mapping[ResultKey, bool | None]) -> int:
    """Set ``is_secret`` on labelled results (None removes a label); returns how many changed."""
    document = baseline_file.read_document(path)
    changed = 0
    for filename, entries in document["results"].items():
        for entry in entries:
            key = (filename, entry["hashed_secret"], entry["type"])
            if key not in labels or entry.get("is_secret") == labels[key]:
                continue
            if labels[key] is None:
                entry.pop("is_secret", None)
            else:
                entry["is_secret"] = labels[key]
            changed += 1
    if changed:
        baseline_file.write_document(path, document)
    return changed


def _locate(secret: Any) -> tuple[str | None, list[str], str | None]:
    """(secret value, the file's lines, None) or (None, [], why it cannot be shown)."""
    from detect_secrets.audit.common import get_raw_secret_from_file, open_file
    from detect_secrets.exceptions import NoLineNumberError, SecretNotFoundOnSpecifiedLineError

    try:
        value = get_raw_secret_from_file(secret)
        return value, open_file(secret.filename).raw_lines, None
    except (SecretNotFoundOnSpecifiedLineError, NoLineNumberError):
        return None, [], f"the secret is no longer on line {secret.line_number}"
    except OSError as exc:
        return None, [], f"cannot read the file: {exc.strerror or exc}"
    except TypeError:
        # from_secret_type: no plugin for this type (its file is missing on this machine).
        return None, [], f'no plugin available for "{secret.type}"'


def _context(
    lines: list[str], line_number: int, masks: Mapping[str, str] | None
) -> tuple[tuple[int, str], ...]:
    """The lines around *line_number*; with *masks* (None: reveal), secrets and keys hidden."""
    first = max(1, line_number - CONTEXT_LINES)
    shown = []
    for number, text in enumerate(lines[first - 1 : line_number + CONTEXT_LINES], start=first):
        if masks is not None:
            for value, masked in masks.items():
                text = text.replace(value, masked)
            text = pattern.KEY_RE.sub(lambda m: pattern.redact(m.group()), text)
        shown.append((number, text))
    return tuple(shown)


@contextmanager
def _detect_secrets_configured_by(document: dict[str, Any], plugin_file: Path) -> Iterator[None]:
    """detect-secrets' global settings as the baseline says, with the #611 fix applied."""
    from detect_secrets.audit.common import open_file
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import transient_settings

    config = copy.deepcopy(document)
    # Our plugin, wherever the baseline says it was, is the one installed here.
    others = [
        p for p in config.get("plugins_used", []) if p.get("name") != baseline_file.PLUGIN_NAME
    ]
    ours = {"name": baseline_file.PLUGIN_NAME, "path": baseline_file.plugin_uri(plugin_file)}
    config["plugins_used"] = [*others, ours]
    # With this filter on, detect-secrets verifies every secret it finds again (a network
    # call per result, to Klaviyo among others). Labelling needs no verification: this is
    # what its own --no-verify does.
    config["filters_used"] = [
        f for f in config.get("filters_used", []) if f.get("path") != _VERIFICATION_FILTER
    ]
    # A custom plugin whose file is not on this machine would make detect-secrets raise
    # FileNotFoundError for every result; leave it out, and its results say so.
    config["plugins_used"] = [p for p in config["plugins_used"] if _loadable(p)]

    with transient_settings(config):
        # The #611 fix: rebuild the type -> plugin map now that the custom plugins are known.
        get_mapping_from_secret_type_to_class.cache_clear()
        open_file.cache_clear()
        try:
            yield
        finally:
            get_mapping_from_secret_type_to_class.cache_clear()
            open_file.cache_clear()


def _loadable(plugin: Mapping[str, Any]) -> bool:
    location = plugin.get("path")
    if not isinstance(location, str):
        return True  # a built-in plugin
    return location.startswith("file://") and Path(location[len("file://") :]).is_file()
