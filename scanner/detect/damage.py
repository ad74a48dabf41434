"""What a damaged archive's note says, and whether it is an error or a warning.

A note is a warning only when nothing a reader could decode was left out: a tar stores
its members plainly, so bytes read as a tar's hold every member's, unless something
compressed is among them; deflated zip members are not in a zip's bytes as they are.
"""

from __future__ import annotations

import re

from scanner.detect.archives import Note, damaged

#: What starts a stream the scan decompresses, or names one (brotli has no signature).
_PACKED = re.compile(rb"\x1f\x8b|PK\x03\x04|\.[bB][rR]")
#: Every byte to a space but the newline: bytes already read, blanked where lines count.
_BLANK = bytes(b if b == 0x0A else 0x20 for b in range(256))


def _packed(data: bytes) -> bool:
    """Whether *data* may hold something the scan would have decompressed."""
    return _PACKED.search(data) is not None


def blanked(data: bytes, spans: list[tuple[int, int]]) -> bytes:
    """*data* with the byte ranges *spans* (in order, already read) blanked, lines kept,
    for the rest to be scanned as bytes at its own lines."""
    parts, at = [], 0
    for start, end in spans:
        parts += [data[at:start], data[start:end].translate(_BLANK)]
        at = end
    parts.append(data[at:])
    return b"".join(parts)


def unreadable_archive(kind: str, exc: Exception, data: bytes | None) -> Note:
    """An archive whose structure cannot be parsed, scanned as its bytes (*data*, None
    when it was too large to be searched for compressed streams)."""
    why = f"unreadable {kind} archive ({type(exc).__name__})"
    if kind == "tar" and data is not None and not _packed(data):
        return damaged(f"{why}; scanned as bytes, nothing compressed in it")
    if kind == "zip":
        return Note(f"{why}; scanned as bytes, but its compressed members could not be opened")
    return Note(f"{why}; scanned as bytes, but anything compressed in it was not opened")


def tar_rest_note(rest: bytes) -> Note:
    """The bytes of a tar past the members tarfile could parse, scanned as bytes."""
    what = f"tar archive: {len(rest)} bytes past the members it could parse"
    if _packed(rest):
        return Note(f"{what}; scanned as bytes, but anything compressed in them was not opened")
    return damaged(f"{what}; scanned as bytes, nothing compressed in them")


def local_zip_note(exc: Exception, found: int, whole: bool) -> Note:
    """A zip read from its local headers: a warning when its members cover it (*whole*)."""
    why = f"unreadable zip archive ({type(exc).__name__})"
    read = f"{found} members read from their local headers"
    if whole:
        return damaged(f"{why}; its {read}")
    return Note(f"{why}; {read}, but bytes outside them were only scanned as bytes")
