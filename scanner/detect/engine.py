"""The one detection seam every source goes through: bytes in, (secret, occurrence) out.

Sources (files, the git index, git history, archives, crawled sites) hand a blob's bytes
and its display path here, so decoders, archive expansion and source maps apply to all
of them at once: a bundle committed years ago, a ``.tgz`` in a release, an asset URL.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from plugins.errors import ErrorKind
from plugins.pattern import Secret
from scanner.detect.archives import (
    Budget,
    Container,
    Note,
    Refused,
    damage_errors,
    kind_of,
)
from scanner.detect.damage import blanked, local_zip_note, tar_rest_note, unreadable_archive
from scanner.detect.decode.concat import ESCAPED_SPLIT
from scanner.detect.decode.gate import INLINE_MAP, Gates, find_gates
from scanner.detect.options import DetectOptions
from scanner.detect.streams import gunzip, unbrotli
from scanner.detect.textscan import Hit, scan_text
from scanner.findings import Occurrence, ScanIssue, SourceLocation

if TYPE_CHECKING:
    from scanner.detect.sourcemap.reference import Resolver

#: Where git's own heuristic looks for a NUL byte to call a blob binary.
BINARY_SNIFF = 8000
MiB = 1 << 20
_SPOOL_CHUNK = 8 * MiB


def looks_binary(head: bytes, path: str = "") -> bool:
    """Binary and nothing the scan can open: archives and UTF-16 text are not binary here."""
    sniff = head[:BINARY_SNIFF]
    if b"\0" not in sniff:
        return False
    if kind_of(path, head) is not None or sniff[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    # BOM-less UTF-16: ASCII-range text puts a NUL in nearly every other byte.
    even, odd = sniff[0::2].count(0), sniff[1::2].count(0)
    return max(even, odd) < 0.4 * (len(sniff) // 2) or min(even, odd) > 0.1 * (len(sniff) // 2)


@dataclass(frozen=True)
class Detection:
    """Occurrences found in one blob, split by whether an allowlist pragma silenced them.

    ``notes`` are what was left unread (a decompression bomb, an encrypted member, a
    refused source map reference): errors, the rest of the blob still scanned.
    ``warnings`` are damage read around (a truncated gzip, whose recovered bytes were
    scanned): nothing a reader could decode was left out.
    """

    hits: tuple[tuple[Secret, Occurrence], ...]
    allowlisted: int
    notes: tuple[ScanIssue, ...] = ()
    binary: bool = False  # read as binary: raw ASCII and UTF-16 keys only
    warnings: tuple[ScanIssue, ...] = ()


class _Run:
    def __init__(self, options: DetectOptions) -> None:
        self.options = options
        self.budget = Budget(options.limits)
        self.hits: list[tuple[Secret, Occurrence]] = []
        self.allowlisted = 0
        self.notes: list[ScanIssue] = []
        self.warnings: list[ScanIssue] = []
        self.binary = False

    def note(self, path: str, notes: list[Note], *, cut: bool = False) -> None:
        """*notes* placed at *path*: what was left unread as errors, damage as warnings.
        *cut*: the bytes are what a truncated stream recovered, which its own warning
        says; damage that follows from the cut (a tar ending early) adds no second line."""
        for n in notes:
            if n.left_unread:
                self.notes.append(ScanIssue(path, n.message, n.kind, n.facts))
            elif not cut:
                self.warnings.append(ScanIssue(path, n.message, n.kind, n.facts))

    def blob(
        self,
        path: str,
        data: bytes,
        depth: int,
        resolve: Resolver | None,
        *,
        by_name: bool = True,
        cut: bool = False,
    ) -> None:
        kind = kind_of(path, data, by_name=by_name)
        if kind is None:
            if depth == 0 and looks_binary(data, path):
                # An ELF, a .pyc, a database, a classes.dex: keys sit in it as raw ASCII or
                # UTF-16 strings; text decoders and source maps have nothing to read there.
                self.binary = True
                self.text(path, data, None, binary=True)
                return
            self.text(path, data, resolve)
            return
        if depth >= self.options.limits.max_depth:
            self.note(
                path,
                [
                    Note(
                        f"archive nested deeper than {depth} levels; not opened",
                        ErrorKind.ARCHIVE_TOO_DEEP,
                    )
                ],
            )
            return
        messages: list[Note] = []
        try:
            if kind in ("gzip", "brotli"):
                inner = (gunzip if kind == "gzip" else unbrotli)(data, self.budget, messages)
                if kind == "brotli" and not inner:
                    # Named .br but not brotli at all (``example.com.br``): read it as it is.
                    self.text(path, data, resolve)
                    return
                self.note(path, messages, cut=cut)
                stream_cut = cut or bool(messages)  # a note here is the stream's damage
                # The inner stream keeps the outer name (``app.js.br``): judge it by content.
                self.blob(path, inner, depth + 1, resolve, by_name=False, cut=stream_cut)
                return
            container = Container(kind, data, self.budget, messages, cut=cut)
        except Refused as exc:
            self.note(path, [*messages, exc.note()], cut=cut)
            return
        except damage_errors() as exc:
            if kind == "zip":
                self.local_zip(path, data, depth, exc, cut)
                return
            # A damaged tar still shows its members as plain bytes.
            self.note(path, [unreadable_archive(kind, exc, data)], cut=cut)
            self.text(path, data, None)
            return
        self.members(path, container, depth, messages, cut)
        if container.unparsed is not None:
            self.unparsed(path, data, container.unparsed, cut)

    def local_zip(self, path: str, data: bytes, depth: int, exc: Exception, cut: bool) -> None:
        """A zip zipfile cannot open (its directory cut off or damaged), read from its
        local headers; the bytes between its members are read as they are."""
        from scanner.detect.localzip import LocalZip

        messages: list[Note] = []
        found = LocalZip(data, self.budget, messages)
        for member in found.members():
            self.note(path, messages, cut=cut)
            messages.clear()
            # No sibling source maps: which names the zip holds is known only at its end.
            self.blob(f"{path}!/{member.name}", member.data, depth + 1, None, cut=member.partial)
        self.note(path, messages, cut=cut)
        self.text(path, blanked(data, found.spans), None)
        self.note(path, [local_zip_note(exc, found.found, found.whole)], cut=cut)

    def unparsed(self, path: str, data: bytes, start: int, cut: bool) -> None:
        """The bytes of a tar past the headers tarfile could parse, read as they are, at
        their own lines (what came before is blanked, newlines kept)."""
        self.text(path, blanked(data, [(0, start)]), None)
        self.note(path, [tar_rest_note(data[start:])], cut=cut)

    def members(
        self, path: str, container: Container, depth: int, messages: list[Note], cut: bool
    ) -> None:
        names = set(container.names())
        for member in container.members():
            self.note(path, messages, cut=cut)
            messages.clear()
            self.blob(
                f"{path}!/{member.name}",
                member.data,
                depth + 1,
                _sibling_resolver(container, names, member.name),
                cut=member.partial,
            )
        self.note(path, messages, cut=cut)

    def big_text(self, path: str, head: bytes, read: Callable[[int], bytes]) -> None:
        from scanner.detect.bigtext import scan_big_text

        # Source maps need the whole blob; past the bound the text is scanned window by
        # window, decoders included.
        for h in scan_big_text(head, read, self.options.in_memory):
            if h.allowlisted:
                self.allowlisted += 1
            else:
                occurrence = Occurrence(path, h.line, h.column, h.byte_column, h.encoding)
                self.hits.append((Secret(h.key), occurrence))

    def text(
        self,
        path: str,
        data: bytes,
        resolve: Resolver | None,
        *,
        binary: bool = False,
        gates: Gates | None = None,
    ) -> None:
        messages: list[Note] = []
        signals: dict[str, int] = {}
        decoders = self.options.decoders
        hits = scan_text(data, decoders=decoders, signals=signals, binary=binary, gates=gates)
        placed: list[tuple[Hit, SourceLocation | None]] = [(h, None) for h in hits]
        split_at = signals.get(ESCAPED_SPLIT)
        inline_map = INLINE_MAP in signals  # noticed by the one-pass gate
        if decoders and not binary and (hits or split_at is not None or inline_map):
            # Source maps (json, urllib) load only when there is something to map.
            from scanner.detect.mapping import locate

            located = locate(path, data, hits, resolve, messages, split_at)
            placed = [(p.hit, p.original) for p in located]
        self.note(path, messages)
        for h, original in placed:
            if h.allowlisted:
                self.allowlisted += 1
                continue
            occurrence = Occurrence(path, h.line, h.column, h.byte_column, h.encoding, original)
            self.hits.append((Secret(h.key), occurrence))

    def detection(self) -> Detection:
        return Detection(
            tuple(self.hits),
            self.allowlisted,
            tuple(self.notes),
            self.binary,
            tuple(self.warnings),
        )


def _sibling_resolver(container: Container, names: set[str], member: str) -> Resolver:
    from scanner.detect.sourcemap.reference import ReferenceRefused

    def resolve(reference: str) -> bytes | None:
        if "://" in reference or reference.startswith("/"):
            raise ReferenceRefused("sourceMappingURL leaves the archive; not read")
        name = posixpath.normpath(posixpath.join(posixpath.dirname(member), reference))
        if name not in names:
            return None
        try:
            return container.read(name)
        except Refused as exc:
            raise ReferenceRefused(str(exc), kind=exc.kind) from None
        except damage_errors():
            return None  # the member itself reports the damage when its turn comes

    return resolve


def detect_bytes(
    path: str,
    data: bytes,
    *,
    options: DetectOptions | None = None,
    resolve: Resolver | None = None,
) -> Detection:
    """Keys in a blob held in memory, reported under *path*.

    Archives and compressed assets are opened (members reported as ``path!/member``),
    encoded keys decoded, and source maps followed to the original source. *resolve*
    reads a ``sourceMappingURL`` reference for this blob; without one only inline
    (``data:``) maps are read.
    """
    opts = options or _DEFAULT_OPTIONS
    if opts.decoders and b"\0" not in data[:BINARY_SNIFF] and kind_of(path, data) is None:
        # Text, as most blobs are: gated once here, and most have no candidate at all.
        gates = find_gates(data)
        if not gates.any():
            return _NOTHING
        run = _Run(opts)
        run.text(path, data, resolve, gates=gates)
        return run.detection()
    run = _Run(opts)
    run.blob(path, data, 0, resolve)
    return run.detection()


_DEFAULT_OPTIONS = DetectOptions()
_NOTHING = Detection((), 0)


def detect_stream(
    path: str,
    read: Callable[[int], bytes],
    *,
    options: DetectOptions | None = None,
    resolve: Resolver | None = None,
) -> Detection:
    """Keys in a blob read in chunks with ``read(n)``.

    Up to ``options.in_memory`` bytes it is the same as :func:`detect_bytes`; a larger
    stream is scanned as text in windows of that size (no archive or map is opened).
    """
    opts = options or DetectOptions()
    head = _read_head(read, opts.in_memory + 1)
    if len(head) <= opts.in_memory:
        return detect_bytes(path, head, options=opts, resolve=resolve)
    kind = kind_of(path, head)
    if kind in ("zip", "tar"):
        # An archive of any size: spooled to a temporary file and opened from there
        # (zip by seeking to its central directory, tar as a stream), not read as text.
        import tempfile  # only for an archive past the bound: the hook never needs it

        with tempfile.TemporaryFile() as spool:
            spool.write(head)
            del head
            while piece := read(_SPOOL_CHUNK):
                spool.write(piece)
            spool.seek(0)
            return detect_archive_file(path, kind, spool, options=opts)
    run = _Run(opts)
    if kind is not None:
        run.note(
            path,
            [
                Note(
                    f"{kind} stream larger than {opts.in_memory} bytes; not decompressed, "
                    "scanned as its bytes"
                )
            ],
        )
    run.big_text(path, head, read)
    return run.detection()


def detect_archive_file(
    path: str, kind: str, source: IO[bytes], *, options: DetectOptions | None = None
) -> Detection:
    """Keys in the members of a zip or tar read from the seekable file *source*."""
    run = _Run(options or DetectOptions())
    messages: list[Note] = []
    try:
        container = Container(kind, source, run.budget, messages)
    except Refused as exc:
        run.note(path, [*messages, exc.note()])
        return run.detection()
    except damage_errors() as exc:
        # Not searched for compressed streams: an archive this large stays an error.
        run.note(path, [unreadable_archive(kind, exc, None)])
        source.seek(0)
        run.big_text(path, _read_head(source.read, run.options.in_memory + 1), source.read)
        return run.detection()
    run.members(path, container, 0, messages, False)
    if container.unparsed is not None:
        size = source.seek(0, 2) - container.unparsed
        what = f"tar archive: {size} bytes past the members it could parse not scanned"
        run.note(path, [Note(what)])
    return run.detection()


def _read_head(read: Callable[[int], bytes], size: int) -> bytes:
    """Up to *size* bytes from *read* (a pipe may return less than asked)."""
    parts: list[bytes] = []
    have = 0
    while have < size:
        piece = read(size - have)
        if not piece:
            break
        parts.append(piece)
        have += len(piece)
    return b"".join(parts)
