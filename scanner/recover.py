"""Getting a key back from where a report says it was seen.

A report holds fingerprints, never keys (unless ``--show-secrets``). To ask Klaviyo about
a key again, it is read back from a place the report names: the blob by its id in the
named repository, a work-tree file of that repository, or a scanned file at its path. The
bytes are scanned as a sweep scans them (decoders, archives), and the key whose
fingerprint the report names is kept; a place that no longer holds it is passed over.

Nothing here prints; a key that cannot be got back comes with the reason, as a fact.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from plugins.pattern import Secret
from scanner.findings import Occurrence
from scanner.git.blobs import BlobReader
from scanner.report.model import ReportFinding

#: Largest file read back from disk (a blob is read whatever its size: the sweep read it).
MAX_FILE_BYTES = 256 * 1024 * 1024


class Miss(Enum):
    """Why a key could not be got back, most telling last (the last one met is kept)."""

    NO_PLACE = "no_place"  # seen only on a site or on standard input: nothing to read back
    GONE = "gone"  # the repository, blob or file named is not there any more
    CHANGED = "changed"  # the place is there but no longer holds the key


@dataclass(frozen=True)
class Lost:
    """A key not got back: why, and the last place tried (``None``: there was none)."""

    miss: Miss
    place: str | None = None


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def _outer(path: str) -> str:
    """The file an archive member is in (``app.apk!/assets/x.js`` -> ``app.apk``)."""
    return path.split("!/", 1)[0]


class Recoverer:
    """Gets keys back for one run; each blob and file is read and scanned at most once.

    *bases* are the directories a scanned file's relative path may be relative to, in
    order (the current directory, then each report's own directory).
    """

    def __init__(self, bases: Sequence[Path]) -> None:
        self._bases = tuple(bases)
        self._readers: dict[str, BlobReader] = {}
        self._keys: dict[str, Secret] = {}  # every key met in what was read, by fingerprint
        #: Places read and scanned already (read again: b""), and places not there (None).
        self._read: set[tuple[str, str]] = set()
        self._missing: set[tuple[str, str]] = set()
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Recoverer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        self._keys.clear()

    def recover(self, finding: ReportFinding) -> Secret | Lost:
        """The key of *finding*, or why it could not be got back."""
        if finding.secret is not None:
            return finding.secret
        lost = Lost(Miss.NO_PLACE)
        for occurrence in _in_order(finding.occurrences):
            found = self._keys.get(finding.fingerprint)
            if found is not None:
                return found
            lost = self._try(occurrence, finding.fingerprint) or lost
        return self._keys.get(finding.fingerprint) or lost

    def _try(self, o: Occurrence, fp: str) -> Lost | None:
        p = o.provenance
        if p is not None:
            data = self._blob(p.repository, p.blob)
            if data is None and p.in_worktree:
                data = self._file(Path(p.repository) / _outer(o.path))
            place = f"{p.repository}:{o.path}"
        elif is_url(o.path) or o.path == "-":
            return None
        else:
            data = self._local(_outer(o.path))
            place = o.path
        if data is None:
            return Lost(Miss.GONE, place)
        self._scan(o.path, data)
        return None if fp in self._keys else Lost(Miss.CHANGED, place)

    def _scan(self, path: str, data: bytes) -> None:
        from scanner.detect.engine import detect_bytes  # the engine only when reading

        for secret, _ in detect_bytes(_outer(path), data).hits:
            self._keys.setdefault(secret.fingerprint, secret)

    def _blob(self, repository: str, oid: str) -> bytes | None:
        place = ("blob", f"{repository}\0{oid}")
        if place in self._read:
            return b""  # scanned before: what it held is known already
        if place in self._missing:
            return None
        reader = self._readers.get(repository)
        if reader is None:
            reader = self._stack.enter_context(BlobReader(Path(repository)))
            self._readers[repository] = reader
        data = reader.read(oid)
        (self._missing if data is None else self._read).add(place)
        return data

    def _local(self, path: str) -> bytes | None:
        candidate = Path(path)
        if candidate.is_absolute():
            return self._file(candidate)
        for base in self._bases:
            data = self._file(base / candidate)
            if data is not None:
                return data
        return None

    def _file(self, path: Path) -> bytes | None:
        place = ("file", str(path.absolute()))
        if place in self._read:
            return b""
        if place in self._missing:
            return None
        try:
            data = path.read_bytes() if path.stat().st_size <= MAX_FILE_BYTES else None
        except OSError:
            data = None
        (self._missing if data is None else self._read).add(place)
        return data


def _in_order(occurrences: Sequence[Occurrence]) -> Iterator[Occurrence]:
    """History first (a blob id names exactly what was scanned), then files."""
    yield from (o for o in occurrences if o.provenance is not None)
    yield from (o for o in occurrences if o.provenance is None)
