"""Compressed streams, ``.gz`` and ``.br``: the blob itself, compressed, decompressed in
memory under the archive limits of :mod:`scanner.detect.archives`.

A damaged stream gives every byte it holds before the damage. zlib and brotli return
nothing from a call that fails, so the input of the call that met the damage is decoded
again, one byte at a time, from the state before it: a gzip whose checksum rotted still
gives all its text. Past corrupt compressed data no reader can go on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scanner.detect.archives import Budget, Note, check_size, damaged

if TYPE_CHECKING:
    import zlib

MiB = 1 << 20
_READ = 1 * MiB  # output asked of one call
_FEED = 256 << 10  # input given to one call: at most this much is decoded twice on damage
_GZIP = b"\x1f\x8b"

Check = Callable[[int], None]  # raises Refused once the output passes a limit


def gunzip(data: bytes, budget: Budget, notes: list[Note]) -> bytes:
    """Every gzip member of *data*; a truncated or corrupt tail is noted, the rest kept."""
    import zlib

    out = bytearray()
    cap = budget.limits.max_member_bytes

    def check(consumed: int) -> None:
        check_size(len(out), consumed, cap, budget, "gzip stream")

    at = 0
    while data[at : at + 2] == _GZIP:
        at, whole = inflate(zlib.decompressobj(wbits=31), data, at, out, check)
        if whole is None:
            notes.append(_corrupt(data, at, len(out)))
            break
        if not whole:
            notes.append(damaged(f"truncated gzip stream; scanned the {len(out)} bytes recovered"))
            break
    budget.left -= len(out)
    return bytes(out)


def _corrupt(data: bytes, at: int, decoded: int) -> Note:
    message = f"corrupt gzip stream; scanned the {decoded} bytes before the damage"
    if _GZIP + b"\x08" in data[at:]:
        # Another member may start past the damage; gzip itself stops here, so does this.
        return Note(f"{message}, not what follows it")
    return damaged(message)


def inflate(
    d: zlib._Decompress, data: bytes, at: int, out: bytearray, check: Check
) -> tuple[int, bool | None]:
    """One deflate stream (a gzip member, a zip member) of *data* from *at*, through *d*,
    appended to *out*: where it ends and True; or where reading stopped and False (the
    data ends first) or None (corrupt: what came before the damage is in *out*)."""
    import zlib

    pos = at
    feed = data[at : at + _FEED]
    while True:
        before = d.copy()
        try:
            piece = d.decompress(feed, _READ)
        except zlib.error:
            return _salvage(before, feed, pos, out, check), None
        out += piece
        if d.eof:
            end = pos + len(feed) - len(d.unused_data)
            check(end)
            return end, True
        pos += len(feed) - len(d.unconsumed_tail)
        check(pos)
        if d.unconsumed_tail:
            feed = d.unconsumed_tail
        elif len(piece) == _READ:
            feed = b""  # more output may be waiting
        else:
            feed = data[pos : pos + _FEED]
            if not feed:
                return pos, False


def _salvage(d: zlib._Decompress, feed: bytes, pos: int, out: bytearray, check: Check) -> int:
    """What *feed* gives, one byte at a time from the state *d* before it, up to the damage;
    where the damage is."""
    import zlib

    for i in range(len(feed)):
        try:
            out += d.decompress(feed[i : i + 1])
        except zlib.error:
            return pos + i
        check(pos + i + 1)
    return pos + len(feed)


def unbrotli(data: bytes, budget: Budget, notes: list[Note]) -> bytes:
    """The brotli stream *data* decompressed; a truncated or corrupt tail is noted."""
    import brotli  # only needed for .br assets: keep it off the pre-commit import path

    out = bytearray()
    cap = budget.limits.max_member_bytes

    def check(consumed: int) -> None:
        check_size(len(out), consumed, cap, budget, "brotli stream")

    d = brotli.Decompressor()
    pos = 0
    try:
        while pos < len(data) and not d.is_finished():
            feed = data[pos : pos + _FEED]
            _process(d, feed, out, lambda: check(len(data)))
            pos += len(feed)
    except brotli.error:
        # No copy of a brotli decoder: the input before the damage is decoded again.
        _brotli_salvage(data, pos, out, check)
        notes.append(
            damaged(f"corrupt brotli stream; scanned the {len(out)} bytes before the damage")
        )
    else:
        if not d.is_finished():
            notes.append(
                damaged(f"truncated brotli stream; scanned the {len(out)} bytes recovered")
            )
    budget.left -= len(out)
    return bytes(out)


def _process(d: Any, feed: bytes, out: bytearray, check: Callable[[], None]) -> None:
    """*feed* through the brotli decoder *d*, its output drained into *out*."""
    out += d.process(feed, output_buffer_limit=_READ)
    check()
    while not d.is_finished() and not d.can_accept_more_data():
        out += d.process(b"", output_buffer_limit=_READ)
        check()


def _brotli_salvage(data: bytes, pos: int, out: bytearray, check: Check) -> None:
    """*out* cut back to what the input before *pos* gives, then extended one input byte
    at a time up to the damage."""
    import brotli

    d = brotli.Decompressor()
    replayed = 0
    for at in range(0, pos, _FEED):
        scratch = bytearray()  # already in *out*: only counted
        _process(d, data[at : min(at + _FEED, pos)], scratch, lambda: None)
        replayed += len(scratch)
    del out[replayed:]
    for at in range(pos, min(pos + _FEED, len(data))):
        if d.is_finished():
            return
        try:
            _process(d, data[at : at + 1], out, lambda: check(len(data)))
        except brotli.error:
            return
