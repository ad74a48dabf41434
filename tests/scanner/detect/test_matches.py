"""The byte scanner: chunked reading must see exactly what a whole-blob read sees."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.pattern import KEY_RE_BYTES
from scanner.detect.matches import RawMatch, find_in_bytes, find_in_stream
from tests.support.keys import hex_run, make_key

KEYS = [make_key(f"prop {i}", prefixed=i % 3 == 0) for i in range(4)]

# Pieces a random blob is made of: plain text, line breaks, multi-byte characters, keys,
# things that touch a key (so a boundary can fall on a chunk edge), near misses and pragmas.
PIECES = st.sampled_from(
    [
        "a",
        " ",
        "=",
        "_",
        "x",
        "\n",
        "\r\n",
        "é",
        "\U0001f511",
        "pk_",
        "pk_live_",
        "pk_" + hex_run("near", 33),
        "pk_" + hex_run("far", 35),
        " # pragma: allowlist secret",
        " // pragma: allowlist nextline secret\n",
        *KEYS,
    ]
)
BLOBS = st.lists(PIECES, max_size=60).map("".join)


def _stream(data: bytes, chunk_size: int) -> list[RawMatch]:
    return find_in_stream(io.BytesIO(data).read, chunk_size)


@settings(max_examples=300, deadline=None)
@given(blob=BLOBS, chunk_size=st.integers(min_value=1, max_value=300))
def test_chunked_reading_finds_what_a_whole_read_finds(blob: str, chunk_size: int) -> None:
    data = blob.encode("utf-8")
    whole = find_in_bytes(data)
    assert _stream(data, chunk_size) == whole
    # And both agree with the plain regex on which keys sit where.
    assert [(m.key, m.offset) for m in whole] == [
        (m.group().decode(), m.start()) for m in KEY_RE_BYTES.finditer(data)
    ]


@settings(max_examples=100, deadline=None)
@given(
    before=st.integers(min_value=0, max_value=20_000),
    after=st.integers(min_value=0, max_value=20_000),
    chunk_size=st.sampled_from([1, 7, 64, 100, 1000, 4096, 8192]),
    pragma_before=st.booleans(),
    pragma_after=st.booleans(),
)
def test_a_key_anywhere_on_a_long_line_is_placed_exactly(
    before: int, after: int, chunk_size: int, pragma_before: bool, pragma_after: bool
) -> None:
    key = make_key("long line")
    lead = "// pragma: allowlist nextline secret\n" if pragma_before else "line one\n"
    tail = " # pragma: allowlist secret" if pragma_after else ""
    data = (lead + "é" * before + key + tail + ";" * after).encode()
    whole = find_in_bytes(data)
    assert _stream(data, chunk_size) == whole
    (match,) = whole
    assert (match.line, match.column, match.byte_column) == (2, before + 1, 2 * before + 1)
    # A pragma counts only while it is near the key (detect-secrets reads whole lines;
    # we look 4 KiB either side so a 50 MB minified line costs nothing).
    assert match.allowlisted == (pragma_after or (pragma_before and 2 * before <= 4096 - 1))


def test_a_pragma_on_an_earlier_line_does_not_silence_a_key_on_a_long_line() -> None:
    key = make_key("far pragma")
    data = f"x = 1  # pragma: allowlist secret\n{'a ' * 2500}{key}\n".encode()
    (match,) = find_in_bytes(data)
    assert not match.allowlisted


def test_pragma_forms_detect_secrets_accepts() -> None:
    key = make_key("pragmas")
    lines = [
        f"a = '{key}'  # pragma: allowlist secret",
        f"a = '{key}'  // pragma:allowlist-secret",
        "# pragma: allowlist nextline secret",
        f"a = '{key}'",
        f"a = '{key}'",
    ]
    matches = find_in_bytes("\n".join(lines).encode())
    assert [m.allowlisted for m in matches] == [True, True, True, False]


def test_nothing_to_find() -> None:
    assert find_in_bytes(b"") == []
    assert _stream(b"", 10) == []
    assert find_in_bytes(b"no prefix here") == []
