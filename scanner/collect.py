"""Accumulate detections from many blobs into one scan result, applying the baseline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from plugins.pattern import Secret
from scanner.detect.options import DetectOptions
from scanner.findings import Occurrence, ScanIssue, ScanResult, ScanStats, group

if TYPE_CHECKING:
    from scanner.detect.engine import Detection


@dataclass
class Collector:
    """Accumulates detections from many blobs, applying the baseline."""

    ignored_hashes: frozenset[str] = frozenset()
    options: DetectOptions = field(default_factory=DetectOptions)
    hits: list[tuple[Secret, Occurrence]] = field(default_factory=list)
    errors: list[ScanIssue] = field(default_factory=list)
    warnings: list[ScanIssue] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    binary: int = 0
    suppressed: int = 0
    gitignored: int = 0

    def add_blob(self, size: int, detection: Detection) -> None:
        """One text blob of *size* bytes was scanned."""
        self.files += 1
        self.bytes += size
        self.binary += detection.binary
        self.add(detection)

    def add(self, detection: Detection) -> None:
        self.errors.extend(detection.notes)
        self.warnings.extend(detection.warnings)
        self.suppressed += detection.allowlisted
        for secret, occurrence in detection.hits:
            if secret.baseline_hash in self.ignored_hashes:
                self.suppressed += 1
            else:
                self.hits.append((secret, occurrence))

    def result(self) -> ScanResult:
        return ScanResult(
            findings=group(self.hits),
            errors=tuple(self.errors),
            stats=ScanStats(
                files=self.files,
                bytes=self.bytes,
                binary=self.binary,
                skipped_gitignored=self.gitignored,
            ),
            suppressed=self.suppressed,
            warnings=tuple(self.warnings),
        )
