"""What one blob may cost: a light module, so a command can build its options without
loading the detection engine (a scan that finds no file never loads it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.detect.archives import ArchiveLimits

MiB = 1 << 20


@dataclass(frozen=True)
class DetectOptions:
    """Limits on what one blob may cost. ``in_memory`` bounds ``detect_stream``: a larger
    stream is scanned as text in windows of that size."""

    limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    in_memory: int = 64 * MiB
    decoders: bool = True
