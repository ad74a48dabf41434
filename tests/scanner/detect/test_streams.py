"""Damaged .gz and .br streams give every byte before the damage, and say so as a warning."""

from __future__ import annotations

import gzip
import os

import brotli

from scanner.detect.engine import detect_bytes
from tests.support.archives import cut_gzip, rotted_crc
from tests.support.keys import make_key

KEY = make_key("streams")


def _text(lines: int) -> bytes:
    """Incompressible enough that the stream is many zlib calls long (past 1 MiB out)."""
    return b"".join(os.urandom(40).hex().encode() + b"\n" for _ in range(lines))


def test_a_gzip_whose_checksum_rotted_gives_every_byte_and_a_warning() -> None:
    data = _text(20_000) + f'key = "{KEY}"\n'.encode()
    detection = detect_bytes("dump.sql.gz", rotted_crc(gzip.compress(data)))
    [(secret, occurrence)] = detection.hits
    assert (secret.reveal(), occurrence.line) == (KEY, 20_001)
    assert detection.notes == ()
    assert [w.message for w in detection.warnings] == [
        f"corrupt gzip stream; scanned the {len(data)} bytes before the damage"
    ]


def test_a_gzip_cut_short_gives_what_it_holds_and_a_warning() -> None:
    data = f'key = "{KEY}"\n'.encode() + _text(1_000)
    detection = detect_bytes("app.js.gz", cut_gzip(data, 5_000))
    assert [s.reveal() for s, _ in detection.hits] == [KEY]
    assert detection.notes == ()
    assert [w.message for w in detection.warnings] == [
        "truncated gzip stream; scanned the 5000 bytes recovered"
    ]


def test_a_corrupt_member_before_another_one_is_an_error() -> None:
    first = bytearray(gzip.compress(_text(200)))
    first[len(first) // 2] ^= 0xFF  # inside the deflate data
    later = gzip.compress(f'key = "{KEY}"\n'.encode())
    detection = detect_bytes("logs.gz", bytes(first) + later)
    # gzip itself stops at the damage; what follows it may be a whole member, unread.
    assert detection.hits == ()
    assert detection.warnings == ()
    [note] = detection.notes
    assert note.message.startswith("corrupt gzip stream; scanned the ")
    assert note.message.endswith(" bytes before the damage, not what follows it")


def test_a_whole_multi_member_gzip_has_no_note() -> None:
    data = gzip.compress(_text(10)) + gzip.compress(f'"{KEY}"\n'.encode())
    detection = detect_bytes("two.gz", data)
    assert [o.line for _, o in detection.hits] == [11]
    assert (detection.notes, detection.warnings) == ((), ())


def test_a_brotli_stream_cut_short_is_a_warning() -> None:
    data = f'key = "{KEY}"\n'.encode() + _text(2_000)
    packed = brotli.compress(data)
    detection = detect_bytes("app.js.br", packed[: len(packed) // 2])
    assert [s.reveal() for s, _ in detection.hits] == [KEY]
    assert detection.notes == ()
    [warning] = detection.warnings
    assert warning.message.startswith("truncated brotli stream; scanned the ")
