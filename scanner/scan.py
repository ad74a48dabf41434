"""Scan files, directories or the git index, and return findings grouped per key."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from scanner.collect import Collector
from scanner.detect.archives import kind_of
from scanner.detect.options import DetectOptions
from scanner.exclude import Excludes
from scanner.findings import ScanIssue, ScanResult
from scanner.sources.files import Problem, Skipped, iter_files
from scanner.sources.staged import StagedBlob, iter_staged

#: Files larger than this are streamed in chunks instead of read whole.
STREAM_THRESHOLD = 32 * 1024 * 1024


def _describe(exc: OSError) -> str:
    return exc.strerror or errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def _scan_file(path: Path, display: str, root: Path, collector: Collector) -> None:
    # The engine loads with the first file: a scan that finds none starts ~10 ms sooner.
    from scanner.detect.engine import detect_archive_file, detect_bytes, detect_stream
    from scanner.detect.sourcemap.reference import file_resolver

    # Source maps named by a file are read only from inside the tree being scanned.
    resolve = file_resolver(root, path, collector.options.limits.max_member_bytes)
    opts = collector.options
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > STREAM_THRESHOLD:
            kind = kind_of(display, handle.read(512))
            handle.seek(0)
            if kind in ("zip", "tar"):
                # Opened from the file itself: a 73 MB .apk costs its members, not its size.
                detection = detect_archive_file(display, kind, handle, options=opts)
                collector.add_blob(size, detection)
                return
            detection = detect_stream(display, handle.read, options=opts, resolve=resolve)
        else:
            data = handle.read()
            detection = detect_bytes(display, data, options=opts, resolve=resolve)
    collector.add_blob(size, detection)


def _root_of(path: Path, roots: list[Path]) -> Path:
    resolved = path.resolve()
    return next((r for r in roots if resolved.is_relative_to(r)), resolved.parent)


def scan_paths(
    targets: Iterable[Path],
    *,
    ignored_hashes: frozenset[str] = frozenset(),
    options: DetectOptions | None = None,
    excludes: Excludes | None = None,
) -> ScanResult:
    """Scan files and directories (``.gitignore`` honoured inside a git work tree)."""
    collector = Collector(ignored_hashes=ignored_hashes, options=options or DetectOptions())
    problems: list[Problem] = []
    targets = list(targets)
    roots = [t.resolve() if t.is_dir() else t.resolve().parent for t in targets]
    skipped = Skipped()
    for item in iter_files(targets, problems, skipped, excludes):
        try:
            _scan_file(item.path, item.display, _root_of(item.path, roots), collector)
        except FileNotFoundError:
            if item.explicit:
                collector.errors.append(ScanIssue(item.display, "no such file or directory"))
            # A file listed while walking and gone before it was read cannot leak anything.
        except OSError as exc:
            collector.errors.append(ScanIssue(item.display, f"cannot read: {_describe(exc)}"))
    collector.errors.extend(ScanIssue(p.display, p.message) for p in problems)
    collector.gitignored = skipped.gitignored
    return collector.result()


def scan_staged(
    repo: Path,
    *,
    ignored_hashes: frozenset[str] = frozenset(),
    options: DetectOptions | None = None,
) -> ScanResult:
    """Scan what is staged in the git index of the work tree at *repo* (not the work tree)."""
    from scanner.detect.engine import detect_bytes

    collector = Collector(ignored_hashes=ignored_hashes, options=options or DetectOptions())
    blob: StagedBlob
    for blob in iter_staged(repo):
        detection = detect_bytes(blob.path, blob.data, options=collector.options)
        collector.add_blob(len(blob.data), detection)
    return collector.result()


#: How a stream is named in findings (as detect-secrets and gitleaks name stdin).
STDIN_NAME = "-"


def scan_stream(
    read: Callable[[int], bytes],
    *,
    display: str = STDIN_NAME,
    ignored_hashes: frozenset[str] = frozenset(),
    options: DetectOptions | None = None,
) -> ScanResult:
    """Scan one stream (standard input) read in chunks with ``read(n)``."""
    from scanner.detect.engine import detect_stream

    collector = Collector(ignored_hashes=ignored_hashes, options=options or DetectOptions())
    size = 0

    def counted(n: int) -> bytes:
        nonlocal size
        chunk = read(n)
        size += len(chunk)
        return chunk

    detection = detect_stream(display, counted, options=collector.options)
    collector.add_blob(size, detection)
    return collector.result()
