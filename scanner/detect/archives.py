"""Archives, opened in memory (or, past the in-memory bound, from the file itself or a
temporary spool of a history blob: zip by seeking, tar as a stream).

``.zip`` (and the zip-based ``.jar``/``.apk``/``.ipa``/``.aab``) and ``.tar`` hold
members, reported as ``outer!/member``; ``.gz`` and ``.br`` hold one stream (the blob
itself, compressed: :mod:`scanner.detect.streams`). Every byte decompressed counts
against one budget per scanned blob, each member against a per-member cap, and a member
that inflates beyond the ratio cap is left unread: a decompression bomb costs a note,
not the machine.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from plugins.errors import ErrorKind

if TYPE_CHECKING:  # zipfile and tarfile load only when an archive is met (hook start-up)
    import tarfile
    import zipfile

MiB = 1 << 20
#: Ratios are only judged past this much output: small highly repetitive files are normal.
RATIO_FLOOR = 1 * MiB
_READ = 1 * MiB


@dataclass(frozen=True)
class ArchiveLimits:
    """How far one blob's archives and compressed streams may be opened, and how much
    they may decompress to (bombs stop at these)."""

    max_depth: int = 4
    max_total_bytes: int = 512 * MiB
    max_member_bytes: int = 128 * MiB
    max_ratio: int = 200


class Budget:
    """Bytes still allowed to be decompressed for one scanned blob (shared by nesting)."""

    def __init__(self, limits: ArchiveLimits) -> None:
        self.limits = limits
        self.left = limits.max_total_bytes


def damage_errors() -> tuple[type[Exception], ...]:
    """What zipfile and tarfile raise on damaged input (found by fuzzing, not documented)."""
    import struct
    import tarfile
    import zipfile

    return (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        tarfile.TarError,
        zlib.error,
        struct.error,
        OSError,
        EOFError,
        ValueError,
        IndexError,
        KeyError,
        OverflowError,
        NotImplementedError,
        RuntimeError,
    )


@dataclass(frozen=True)
class Note:
    """Something a reader of archive (or map) bytes could not do, before it is placed at
    a path; ``kind`` names the limit or the error that stopped it, with its facts.

    ``left_unread`` (the safe default) says bytes a reader could decode were not scanned:
    a limit stopped it, a member is encrypted. A report lists such a note as an error.
    False says the input is damaged (or odd) and everything that can be read of it was
    scanned, as a truncated gzip's recovered bytes: a warning, with nothing left to do.
    """

    message: str
    kind: ErrorKind | None = None
    facts: tuple[tuple[str, str], ...] = ()
    left_unread: bool = True


class Refused(Exception):
    """An archive or member not opened; the message is the note to report."""

    def __init__(self, message: str, kind: ErrorKind | None = None) -> None:
        super().__init__(message)
        self.kind = kind

    def note(self) -> Note:
        return Note(str(self), self.kind)


def damaged(message: str) -> Note:
    """A note about damaged input of which everything readable was scanned."""
    return Note(message, left_unread=False)


def kind_of(path: str, data: bytes, *, by_name: bool = True) -> str | None:
    if data[:2] == b"\x1f\x8b":
        return "gzip"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[257:262] == b"ustar":
        return "tar"
    if by_name and path.lower().endswith(".br"):
        return "brotli"  # brotli has no magic number; trust the name
    return None


def safe_name(name: str) -> tuple[str, bool]:
    """A member name without ``..``, drive letters or a leading slash; True if it had them."""
    parts = name.replace("\\", "/").split("/")
    kept = [p for p in parts if p not in ("", ".", "..")]
    drive = bool(kept) and len(kept[0]) == 2 and kept[0][1] == ":"
    if drive:
        kept = kept[1:]
    escapes = drive or ".." in parts or name.startswith(("/", "\\"))
    return "/".join(kept) or "(unnamed)", escapes


def check_size(out: int, consumed: int, member_cap: int, budget: Budget, label: str) -> None:
    """Refused when *out* bytes decompressed from *consumed* pass a cap or the ratio."""
    limits = budget.limits
    if out > member_cap:
        raise Refused(
            f"{label} decompresses past {member_cap} bytes; not scanned", ErrorKind.MEMBER_TOO_LARGE
        )
    if out > budget.left:
        raise Refused(
            f"{label}: archive byte budget spent; not scanned", ErrorKind.ARCHIVE_BUDGET_SPENT
        )
    if out > RATIO_FLOOR and out > limits.max_ratio * max(consumed, 1):
        raise Refused(
            f"{label} inflates more than {limits.max_ratio}:1 (a decompression bomb?); not scanned"
        )


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes
    partial: bool = False  # cut short where a truncated archive ends


class Container:
    """The members of a zip or tar held in memory, read one at a time."""

    def __init__(
        self,
        kind: str,
        data: bytes | IO[bytes],
        budget: Budget,
        notes: list[Note],
        *,
        cut: bool = False,
    ) -> None:
        """*data* is the archive in memory, or a seekable file (an archive of any size).
        *cut*: it is the recovered part of a truncated stream, which says so already: a
        tar that ends where the stream was cut adds no note of its own."""
        import tarfile
        import zipfile

        source = io.BytesIO(data) if isinstance(data, bytes) else data

        self.budget = budget
        self.notes = notes
        self._source = source
        self._zip: zipfile.ZipFile | None = None
        self._tar: tarfile.TarFile | None = None
        self._index: dict[str, zipfile.ZipInfo | tarfile.TarInfo] = {}  # the first by name
        #: Every member in archive order: a name met twice (a tar appended to) is read twice.
        self._entries: list[tuple[str, zipfile.ZipInfo | tarfile.TarInfo]] = []
        self._partial: tarfile.TarInfo | None = None  # the member a truncated tar cuts short
        #: Where the bytes a tar's headers do not describe start, when any is not zero (a
        #: header tarfile could not parse, a second archive appended): read as bytes.
        self.unparsed: int | None = None
        if kind == "zip":
            self._zip = zipfile.ZipFile(source)
            for info in self._zip.infolist():
                if not info.is_dir():
                    self._add(info.filename, info)
        else:
            self._tar = tarfile.TarFile(fileobj=source, mode="r")
            last: tarfile.TarInfo | None = None
            try:
                for last in self._tar:
                    if last.isfile():
                        self._add(last.name, last)
            except tarfile.ReadError:
                end = source.seek(0, io.SEEK_END)
                if end >= self._tar.offset:
                    self.unparsed = self._tar.offset  # a header it could not parse
                else:
                    self._cut_short(end, last, cut)
            else:
                # tarfile ends quietly at an invalid header or the first end marker.
                self.unparsed = self._past_the_end(self._tar.offset)

    def _past_the_end(self, offset: int) -> int | None:
        """*offset* if a byte from it on is not zero (what ends a tar is zeros)."""
        self._source.seek(offset)
        while piece := self._source.read(_READ):
            if piece.count(0) != len(piece):
                return offset
        return None

    def _cut_short(self, end: int, last: tarfile.TarInfo | None, cut: bool) -> None:
        """The file ends at *end*, inside the *last* member tarfile read: the members
        before it are whole, and the bytes of the last one present are read as they are
        (a tar stores them plainly)."""
        partial = ""
        if last is not None and last.isfile() and last.offset_data + last.size > end:
            self._partial = last
            partial = f" and the part of {safe_name(last.name)[0]} present"
        if not cut:
            self.notes.append(
                damaged(f"truncated tar archive; scanned the members before the cut{partial}")
            )

    def _add(self, raw: str, info: zipfile.ZipInfo | tarfile.TarInfo) -> None:
        name, changed = safe_name(raw)
        if changed:
            self.notes.append(
                Note(
                    f"member name {raw[:200]!r} escapes the archive; scanned as {name!r}",
                    left_unread=False,
                )
            )
        self._index.setdefault(name, info)
        self._entries.append((name, info))

    def names(self) -> list[str]:
        return list(self._index)

    def read(self, name: str) -> bytes:
        """The bytes of the first member called *name*; raises Refused with the note when
        a cap stops it."""
        return self._read(name, self._index[name])

    def _read(self, name: str, info: zipfile.ZipInfo | tarfile.TarInfo) -> bytes:
        import zipfile

        cap = self.budget.limits.max_member_bytes
        if isinstance(info, zipfile.ZipInfo):
            assert self._zip is not None
            if info.flag_bits & 0x1:
                raise Refused(f"{name}: encrypted zip member; not scanned")
            check_size(info.file_size, info.compress_size, cap, self.budget, name)
            stream: IO[bytes] | None = self._zip.open(info)
            packed = info.compress_size
        elif info is self._partial:
            check_size(info.size, info.size, cap, self.budget, name)
            self._source.seek(info.offset_data)
            present = self._source.read(info.size)
            self.budget.left -= len(present)
            return present
        else:
            assert self._tar is not None
            check_size(info.size, info.size, cap, self.budget, name)
            stream = self._tar.extractfile(info)
            packed = info.size
        if stream is None:
            return b""
        out = bytearray()
        with stream:
            while piece := stream.read(_READ):
                out += piece
                # Declared sizes can lie: judge what actually comes out.
                check_size(len(out), packed, cap, self.budget, name)
        self.budget.left -= len(out)
        return bytes(out)

    def members(self) -> Iterator[Member]:
        broken = damage_errors()
        for name, info in self._entries:
            try:
                data = self._read(name, info)
            except Refused as exc:
                self.notes.append(exc.note())
                continue
            except broken as exc:
                self.notes.append(
                    Note(f"{name}: unreadable member ({type(exc).__name__}); skipped")
                )
                continue
            yield Member(name, data, partial=info is self._partial)
