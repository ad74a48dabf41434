"""Counted nouns for people (``1 file``, ``2 files``, ``1,024 blobs``) and a scan's summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scanner.findings import ScanResult


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def summary(result: ScanResult, scanned: str | None = None) -> tuple[str, str]:
    """The summary line of a scan as (counts, extras): "2 Klaviyo private keys in 3 places;
    scanned 10 files (0.1 MB)" and "4 read as binary, …" (empty when there is nothing to add).
    *scanned* replaces "N files" (a sweep counts blobs and files)."""
    stats = result.stats
    places = sum(len(f.occurrences) for f in result.findings)
    counts = (
        f"{count(len(result.findings), 'Klaviyo private key')} in {count(places, 'place')}; "
        f"scanned {scanned or count(stats.files, 'file')} ({stats.bytes / 1e6:.1f} MB)"
    )
    extras = []
    if stats.binary:
        extras.append(f"{stats.binary} read as binary")
    if stats.skipped_gitignored:
        extras.append(f"{stats.skipped_gitignored} ignored by .gitignore")
    if result.suppressed:
        extras.append(f"{result.suppressed} suppressed by baseline or allowlist")
    if result.errors:
        extras.append(f"{len(result.errors)} could not be read")
    return counts, ", ".join(extras)
