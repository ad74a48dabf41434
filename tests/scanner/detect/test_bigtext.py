"""Past the in-memory bound, window-by-window scanning finds what the whole-blob scan finds."""

from __future__ import annotations

import base64
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.detect.engine import detect_bytes, detect_stream
from scanner.detect.options import DetectOptions
from tests.support.keys import make_key

KEYS = [make_key(f"big-{i}") for i in range(3)]
_PIECES = st.sampled_from(
    [
        KEYS[0],
        "".join(f"\\x{ord(c):02x}" for c in KEYS[1]),
        f'atob("{base64.b64encode(KEYS[2].encode()).decode()}")',
        f'"{KEYS[0][:3]}" + "{KEYS[0][3:]}"',
        "\n",
        "héllo 😀 ",
        "x" * 3000,
        "y" * 9000 + "\n",
        " ",
    ]
)


def _reader(data: bytes, step: int) -> Callable[[int], bytes]:
    chunks = [data[i : i + step] for i in range(0, len(data), step)]

    def read(_n: int) -> bytes:
        return chunks.pop(0) if chunks else b""

    return read


@settings(max_examples=60, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=40), st.integers(1000, 30000))
def test_windows_agree_with_the_whole_blob(pieces: list[str], step: int) -> None:
    data = " ".join(pieces).encode()
    whole = sorted((s.reveal(), o) for s, o in detect_bytes("a.js", data).hits)
    small = DetectOptions(in_memory=20_000)
    windowed = sorted(
        (s.reveal(), o) for s, o in detect_stream("a.js", _reader(data, step), options=small).hits
    )
    assert windowed == whole
