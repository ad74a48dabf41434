"""``keyguard-hook``: the pre-commit hook entry point, kept lean on purpose.

A developer pays this module's start-up cost on every commit, so it uses argparse and
imports only the pattern and the scanner core: never click, rich, httpx, hvac or
detect-secrets. It fails closed: anything it cannot load or read is a non-zero exit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from keyguard import error_wording
from keyguard.exit_codes import EXIT_CLEAN, EXIT_USAGE, for_report
from keyguard.stdio import tolerate_unencodable_output
from plugins.errors import KeyguardError
from plugins.pattern import redact_keys
from scanner.report.text import lines
from scanner.scan import scan_paths
from scanner.stores import baseline as baseline_mod

ADVICE = (
    "Remove the key from the file, then treat it as leaked: rotate it with `keyguard rotate` "
    "(if it was ever committed or pushed, it stays in history)."
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="keyguard-hook",
        description="Block commits that contain a Klaviyo private API key.",
    )
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--baseline", type=Path, help="detect-secrets baseline of known keys")
    args = parser.parse_args(argv)
    tolerate_unencodable_output()
    try:
        ignored = baseline_mod.load(args.baseline).hashes if args.baseline else frozenset()
    except KeyguardError as exc:
        sys.stderr.write(f"keyguard: error: {error_wording.message(exc)}\n")
        return EXIT_USAGE
    if not args.files:
        return EXIT_CLEAN
    result = scan_paths(args.files, ignored_hashes=ignored)
    out = lines(result)
    for error in result.errors:
        message = error_wording.note(error)
        sys.stderr.write(redact_keys(f"keyguard: could not read {error.path}: {message}\n"))
    for warning in result.warnings:  # damaged, read as far as it goes: no reason to block
        message = error_wording.note(warning)
        sys.stderr.write(redact_keys(f"keyguard: note: {warning.path}: {message}\n"))
    if out:
        # A file named after a key shows redacted, as the key itself does.
        sys.stdout.write(redact_keys("\n".join(out)) + "\n" + ADVICE + "\n")
    return for_report(findings=bool(out), errors=bool(result.errors))


if __name__ == "__main__":
    sys.exit(main())
