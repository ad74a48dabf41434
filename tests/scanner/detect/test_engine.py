"""The detection seam as a whole: any mix of archive, map and encoding syntax is survived."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.pattern import is_key
from scanner.detect.engine import detect_bytes, detect_stream, looks_binary
from scanner.detect.options import DetectOptions
from tests.support.keys import make_key

_PIECES = st.sampled_from(
    [
        b"PK\x03\x04",
        b"\x1f\x8b\x08",
        b"//# sourceMappingURL=data:",
        b"application/json;base64,",
        b"eyJ2ZXJzaW9uIjozfQ",
        b'{"version":3,"mappings":"',
        b'"sources":[',
        b'"sourcesContent":["',
        b"\\x70",
        b"cGtf",
        b"pk_",
        b"0123456789abcdef" * 2,
        b"\n",
        b'"',
        b"+",
        b"`",
        b"${",
        b"\x00",
        b"ustar",
        b"%5F",
        b"&#95;",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.sampled_from(["a.js", "a.js.map", "a.br", "x.zip"]))
def test_seam_fuzz(pieces: list[bytes], path: str) -> None:
    detection = detect_bytes(path, b"".join(pieces))
    for secret, occ in detection.hits:
        assert is_key(secret.reveal())
        assert occ.line >= 1
        assert occ.column >= 1


def test_stream_past_the_memory_bound_still_finds_plain_keys() -> None:
    key = make_key("stream")
    data = b"x" * 5000 + b"\n" + key.encode() + b"\n" + b"y" * 5000
    chunks = [data[i : i + 1000] for i in range(0, len(data), 1000)]

    def read(_n: int) -> bytes:
        return chunks.pop(0) if chunks else b""

    detection = detect_stream("big.js", read, options=DetectOptions(in_memory=2000))
    [(secret, occ)] = detection.hits
    assert secret.reveal() == key
    assert (occ.line, occ.column) == (2, 1)


def test_looks_binary_lets_archives_and_utf16_through() -> None:
    assert looks_binary(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert not looks_binary(b"PK\x03\x04\x00\x00")
    assert not looks_binary(b"\x1f\x8b\x08\x00")
    assert not looks_binary("hello world, a key goes here\n".encode("utf-16-le"))
    assert not looks_binary(b"\x00\x01", "asset.js.br")
