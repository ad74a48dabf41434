"""A zip whose central directory is cut off or damaged, read from its local headers.

A download cut short loses the end of a zip, where its directory is, and zipfile then
reads nothing of it. But each member is preceded by a local header that names it and
says how it is stored, and deflate data ends by itself: the members are found in turn
from the start, as ``zip -FF`` finds them. What lies between them is read as bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from scanner.detect.archives import Budget, Member, Note, Refused, check_size, damaged, safe_name

_LOCAL = b"PK\x03\x04"
#: What may follow the last member: the central directory, its end records.
_DIRECTORY = (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06")
_HEADER = struct.Struct("<4s5H3I2H")  # signature ... name length, extra length
_STORED, _DEFLATED = 0, 8
_ENCRYPTED, _SIZES_AFTER, _UTF8 = 0x1, 0x8, 0x800
#: A data descriptor, at most: signature, CRC-32 and two 8-byte sizes (zip64).
_DESCRIPTOR = 24


class LocalZip:
    """The members of the zip *data* found from its local headers. After
    :meth:`members`, ``spans`` are the byte ranges read as members, and ``whole`` says
    whether the members follow one another from the start to the directory or the end
    of the data, with nothing between them that was not read."""

    def __init__(self, data: bytes, budget: Budget, notes: list[Note]) -> None:
        self.data = data
        self.budget = budget
        self.notes = notes
        self.spans: list[tuple[int, int]] = []
        self.whole = True
        self.found = 0

    def members(self) -> Iterator[Member]:
        data = self.data
        expected = 0  # where the next header should be
        slack = 0  # bytes a data descriptor may take before it
        at = data.find(_LOCAL)
        while at != -1:
            if not expected <= at <= expected + slack:
                self.whole = False  # bytes between members not described by any header
            if at + _HEADER.size > len(data):
                return  # the data ends inside a header: nothing of that member is here
            _, _, flags, method, _, _, _, size, _, name_len, extra_len = _HEADER.unpack_from(
                data, at
            )
            start = at + _HEADER.size + name_len + extra_len
            name = self._name(data[at + _HEADER.size : at + _HEADER.size + name_len], flags)
            member, end = self._member(name, flags, method, start, size)
            if member is not None:
                self.found += 1
                yield member
            if end is None:
                self.whole = False  # where the member ends is not known: stop here
                return
            if member is not None:  # what was not read stays in the bytes read as bytes
                self.spans.append((start, min(end, len(data))))
            expected, slack = end, _DESCRIPTOR if flags & _SIZES_AFTER else 0
            at = data.find(_LOCAL, max(end, at + 1))
        # After the last member: the end of the data, or (past its descriptor) the directory.
        if expected < len(data) and not any(
            data.startswith(_DIRECTORY, p) for p in range(expected, expected + slack + 1)
        ):
            self.whole = False

    def _name(self, raw: bytes, flags: int) -> str:
        decoded = raw.decode("utf-8" if flags & _UTF8 else "cp437", errors="replace")
        # A damaged header's name may be any bytes: never a control character in a report.
        text = "".join(c if c.isprintable() else "?" for c in decoded[:200])
        name, escapes = safe_name(text)
        if escapes:
            self.notes.append(
                damaged(f"member name {text!r} escapes the archive; scanned as {name!r}")
            )
        return name

    def _member(
        self, name: str, flags: int, method: int, start: int, size: int
    ) -> tuple[Member | None, int | None]:
        """The member whose data starts at *start*, and where its data ends (None when
        that is not known)."""
        sized = not flags & _SIZES_AFTER or size > 0
        if flags & _ENCRYPTED or method not in (_STORED, _DEFLATED):
            why = "encrypted zip member" if flags & _ENCRYPTED else f"compression method {method}"
            self.notes.append(Note(f"{name}: {why}; not scanned"))
            return None, start + size if sized else None
        try:
            if method == _STORED:
                return self._stored(name, start, start + size if sized else None)
            return self._deflated(name, start)
        except Refused as exc:
            self.notes.append(exc.note())
            return None, start + size if sized else None

    def _stored(self, name: str, start: int, end: int | None) -> tuple[Member, int]:
        data = self.data
        if end is None:  # sizes after the data: it runs to its descriptor or the next header
            following = data.find(_LOCAL, start)
            limit = len(data) if following == -1 else following
            descriptor = data.find(b"PK\x07\x08", start, limit)
            end = limit if descriptor == -1 else descriptor
        body = data[start:end]
        check_size(len(body), len(body), self.budget.limits.max_member_bytes, self.budget, name)
        self.budget.left -= len(body)
        return Member(name, body, partial=end > len(data)), end

    def _deflated(self, name: str, start: int) -> tuple[Member, int]:
        import zlib

        from scanner.detect.streams import inflate

        out = bytearray()
        cap = self.budget.limits.max_member_bytes

        def check(consumed: int) -> None:
            check_size(len(out), consumed - start, cap, self.budget, name)

        end, whole = inflate(zlib.decompressobj(wbits=-15), self.data, start, out, check)
        if whole is None:
            # Past corrupt deflate data nothing decodes: the next header is looked for.
            self.notes.append(
                damaged(f"{name}: corrupt member; scanned the {len(out)} bytes before the damage")
            )
            end = self._next_header(end)
        self.budget.left -= len(out)
        return Member(name, bytes(out), partial=whole is False), end

    def _next_header(self, after: int) -> int:
        at = self.data.find(_LOCAL, after)
        return len(self.data) if at == -1 else at
