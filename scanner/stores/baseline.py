"""Read and write detect-secrets baselines (``.secrets.baseline``), hashed secrets only.

A baseline acknowledges secrets by their ``hashed_secret`` (SHA-1 of the secret), never
by line number: moving a line neither resurrects nor hides anything. We read baselines
written by detect-secrets itself (any plugins) and write ones its ``audit`` accepts
(through ``keyguard audit``, see docs/baseline.md). No plaintext key is ever written,
not even in a filename.

This module does not import detect-secrets: the pre-commit hook reads baselines too.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plugins import pattern
from plugins.errors import ErrorKind, KeyguardError
from scanner.findings import Finding

PLUGIN_NAME = "KlaviyoDetector"
#: The detect-secrets plugin file of this installation (it ships next to the pattern).
PLUGIN_FILE = Path(pattern.__file__).resolve().with_name("klaviyo.py")
#: The baseline format we write: detect-secrets 1.5's.
FORMAT_VERSION = "1.5.0"

#: Filters for a new baseline: detect-secrets 1.5's defaults, less ``is_indirect_reference``,
#: which silently drops ``KlaviyoAPI(api_key="pk_...")`` when detect-secrets scans with it.
DEFAULT_FILTERS: tuple[dict[str, Any], ...] = (
    {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
    {
        "path": "detect_secrets.filters.common.is_ignored_due_to_verification_policies",
        "min_level": 2,
    },
    {"path": "detect_secrets.filters.heuristic.is_likely_id_string"},
    {"path": "detect_secrets.filters.heuristic.is_lock_file"},
    {"path": "detect_secrets.filters.heuristic.is_not_alphanumeric_string"},
    {"path": "detect_secrets.filters.heuristic.is_potential_uuid"},
    {"path": "detect_secrets.filters.heuristic.is_prefixed_with_dollar_sign"},
    {"path": "detect_secrets.filters.heuristic.is_sequential_string"},
    {"path": "detect_secrets.filters.heuristic.is_swagger_file"},
    {"path": "detect_secrets.filters.heuristic.is_templated_secret"},
)


class BaselineError(KeyguardError):
    """A baseline could not be read or is not a detect-secrets baseline."""

    kind = ErrorKind.USAGE


@dataclass(frozen=True)
class Baseline:
    """The secrets a baseline acknowledges, as detect-secrets ``hashed_secret`` values."""

    hashes: frozenset[str]

    def contains(self, secret: pattern.Secret) -> bool:
        return secret.baseline_hash in self.hashes


def load(path: Path) -> Baseline:
    """The hashes in the baseline at *path*, whichever plugins found them.

    Raises BaselineError (a usage error) when the file is unreadable or not a baseline.
    """
    document = read_document(path)
    return Baseline(
        frozenset(
            entry["hashed_secret"] for entries in document["results"].values() for entry in entries
        )
    )


def read_document(path: Path) -> dict[str, Any]:
    """The baseline's JSON, checked to have the shape detect-secrets 1.x writes."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BaselineError(
            f"baseline {path} is not UTF-8 text; point at a .secrets.baseline"
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"baseline {path} is not valid JSON (line {exc.lineno}: {exc.msg})",
            kind=ErrorKind.BASELINE_NOT_JSON,
        ) from None
    problem = _shape_problem(document)
    if problem:
        if isinstance(problem, _TooOld):
            raise BaselineError(
                f"{path} is not a detect-secrets baseline (version {problem.version!r} "
                "predates detect-secrets 1.0)",
                kind=ErrorKind.BASELINE_TOO_OLD,
            )
        raise BaselineError(f"{path} is not a detect-secrets baseline ({problem})")
    return dict(document)


@dataclass(frozen=True)
class _TooOld:
    """The one shape problem with a next step of its own: a pre-1.0 baseline."""

    version: object


def _shape_problem(document: object) -> str | _TooOld | None:
    if not isinstance(document, dict):
        return "not a JSON object"
    results = document.get("results")
    if not isinstance(results, dict):
        return 'no "results" object'
    for filename, entries in results.items():
        if not isinstance(entries, list):
            return f'results for "{filename}" are not a list'
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("hashed_secret"), str):
                return f'a result for "{filename}" has no "hashed_secret"'
            if not isinstance(entry.get("type"), str):
                return f'a result for "{filename}" has no "type"'
    version = document.get("version", FORMAT_VERSION)
    major = version.split(".")[0] if isinstance(version, str) else ""
    if not major.isdigit() or int(major) < 1:
        return _TooOld(version)
    for key in ("plugins_used", "filters_used"):
        if not isinstance(document.get(key, []), list):
            return f'"{key}" is not a list'
    return None


def update(
    path: Path,
    findings: Sequence[Finding],
    *,
    root: Path,
    plugin_file: Path = PLUGIN_FILE,
) -> None:
    """Write or update a detect-secrets-format baseline at *path* with *findings*.

    Existing entries stay (other plugins' results, ``is_secret`` audit labels, entries for
    files this scan did not cover); ours are added per (file, secret). Filenames are
    relative to *root*, as detect-secrets records them. The file is rewritten only when
    something other than ``generated_at`` changes, so an unchanged baseline stays unchanged.
    """
    old = read_document(path) if path.exists() else None
    document = _merged(old, findings, root=root, plugin_file=plugin_file)
    if old is not None and _comparable(old) == _comparable(document):
        return
    write_document(path, document)


def write_document(path: Path, document: dict[str, Any]) -> None:
    """Write a baseline as detect-secrets does (2-space JSON), replacing *path* in one step."""
    _write_atomically(path, json.dumps(document, indent=2) + "\n")


def _merged(
    old: dict[str, Any] | None, findings: Sequence[Finding], *, root: Path, plugin_file: Path
) -> dict[str, Any]:
    base = old or {}
    plugins = [p for p in base.get("plugins_used", []) if p.get("name") != PLUGIN_NAME]
    plugins.append({"name": PLUGIN_NAME, "path": plugin_uri(plugin_file)})
    filters = base.get("filters_used", list(DEFAULT_FILTERS) if old is None else [])

    results = _merged_results(base.get("results", {}), findings, root=root)
    return {
        "version": base.get("version", FORMAT_VERSION),
        "plugins_used": sorted(plugins, key=lambda p: str(p["name"]).lower()),
        "filters_used": sorted(filters, key=lambda f: str(f["path"]).lower()),
        "results": {
            filename: sorted(
                (_entry_out(e) for e in slot.values()),
                key=lambda e: (e.get("line_number", 0), e["hashed_secret"], e["type"]),
            )
            for filename, slot in sorted(results.items())
        },
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _merged_results(
    old: dict[str, list[dict[str, Any]]], findings: Sequence[Finding], *, root: Path
) -> dict[str, dict[tuple[str, str], dict[str, Any]]]:
    """Old entries keyed per file by (hashed_secret, type), with this scan's added or moved."""
    # The first line each key is on in each file: one entry per (file, secret), as in
    # detect-secrets, whose line moves with the code.
    first_line: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        hashed = finding.secret.baseline_hash
        for occurrence in finding.occurrences:
            where = (pattern.redact_keys(_relative(occurrence.path, root)), hashed, finding.type)
            first_line[where] = min(occurrence.line, first_line.get(where, occurrence.line))

    results: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for filename, entries in old.items():
        # A file named after a key (``conf/pk_<key>.txt``) must not put the key in a file
        # people commit: names are redacted, old entries from an earlier writer too.
        name = pattern.redact_keys(filename)
        slot = results.setdefault(name, {})
        for entry in entries:
            slot.setdefault((entry["hashed_secret"], entry["type"]), dict(entry, filename=name))
    for (filename, hashed, secret_type), line in first_line.items():
        entry = results.setdefault(filename, {}).setdefault(
            (hashed, secret_type),
            {"type": secret_type, "filename": filename, "hashed_secret": hashed},
        )
        entry.setdefault("is_verified", False)
        entry["line_number"] = line
    return results


def _entry_out(entry: dict[str, Any]) -> dict[str, Any]:
    """detect-secrets' key order: type, filename, hashed_secret, is_verified, line_number, ..."""
    order = ("type", "filename", "hashed_secret", "is_verified", "line_number", "is_secret")
    out = {k: entry[k] for k in order if k in entry}
    out.update((k, v) for k, v in entry.items() if k not in out)
    return out


def plugin_uri(plugin_file: Path) -> str:
    """How detect-secrets records a plugin path: ``file://`` + the absolute path, unquoted."""
    return "file://" + os.path.abspath(plugin_file)


def _relative(path: str, root: Path) -> str:
    candidate = Path(path)
    absolute = candidate if candidate.is_absolute() else Path(os.path.abspath(candidate))
    try:
        return absolute.relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return candidate.as_posix()  # outside the root (an archive member, a URL): as reported


def _comparable(document: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in document.items() if k != "generated_at"}, sort_keys=True)


def _write_atomically(path: Path, text: str) -> None:
    """Replace *path* in one step, so a crash never leaves half a baseline behind."""
    import tempfile  # here, not at the top: the pre-commit hook imports this module to read

    if path.exists():
        mode = path.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp = tempfile.mkstemp(prefix=".secrets.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
