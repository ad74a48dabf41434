"""Every encoding and concatenation form that hides a key, found at its raw position."""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.detect.decode import decode_all
from scanner.detect.engine import detect_bytes
from tests.support.keys import make_key

KEY = make_key("decoders")
PREFIXED = make_key("decoders-prefixed", prefixed=True)


def _each(fmt: str, text: str = KEY) -> str:
    return "".join(fmt.format(ord(c)) for c in text)


ENCODED = {
    "js-escape": [
        _each("\\x{:02x}"),
        _each("\\u{:04x}"),
        _each("\\u{{{:x}}}"),
        _each("\\{:o}"),
        _each("\\\\u{:04X}"),  # a JSON string inside a JS string doubles the backslash
        "pk_\\x" + f"{ord(KEY[3]):02x}" + KEY[4:],  # only the body is escaped
    ],
    "css-escape": [_each("\\{:x} "), _each("\\{:06x}")],
    "percent": [_each("%{:02X}"), "%70k%5F" + KEY[3:], _each("%25{:02x}")],
    "html-entity": [_each("&#{};"), _each("&#x{:x};"), "pk&lowbar;" + KEY[3:]],
    "concat": [
        f'"{KEY[:2]}" + "{KEY[2:20]}" +\n    "{KEY[20:]}"',
        f"'{KEY[:3]}'+'{KEY[3:]}'",
    ],
    "template": [
        f'`{KEY[:5]}${{"{KEY[5:9]}"}}{KEY[9:]}`',
        f'`${{"{KEY[:3]}"}}${{"{KEY[3:]}"}}`',
    ],
    "join": [f'["{KEY[:3]}", "{KEY[3:]}"].join("")', f"['{KEY[:1]}','{KEY[1:]}'].join('')"],
}


@pytest.mark.parametrize(
    ("encoding", "form"),
    [(enc, form) for enc, forms in ENCODED.items() for form in forms],
)
def test_each_form_is_found_where_it_starts(encoding: str, form: str) -> None:
    prefix = "const one = 1;\n// two\nconst s = "
    data = (prefix + form + ";\n").encode()
    [(secret, occ)] = detect_bytes("app.js", data).hits
    assert secret.reveal() == KEY
    assert occ.encoding == encoding
    # The occurrence points at the first raw byte of the encoded key, on line 3.
    assert occ.line == 3
    raw_start = data.index(form.encode()) - data.rindex(b"\n", 0, data.index(form.encode()))
    assert occ.byte_column >= raw_start
    assert occ.byte_column - raw_start <= len(form) - len(KEY[2:])


@pytest.mark.parametrize("key", [KEY, PREFIXED])
@pytest.mark.parametrize(
    ("wrap", "encoding"),
    [
        (lambda b: 'atob("' + base64.b64encode(b).decode() + '")', "atob"),
        (lambda b: "data:application/json;base64," + base64.b64encode(b).decode(), "data-uri"),
        (lambda b: "cfg=" + base64.urlsafe_b64encode(b).decode().rstrip("="), "base64"),
    ],
)
@pytest.mark.parametrize("lead", [b'"', b' "', b'{"k":"'])
def test_base64_at_every_alignment(
    key: str, wrap: Callable[[bytes], str], encoding: str, lead: bytes
) -> None:
    payload = lead + key.encode() + b'"'
    data = ("x\n" + wrap(payload) + "\n").encode()
    [(secret, occ)] = detect_bytes("a.js", data).hits
    assert secret.reveal() == key
    assert occ.encoding in (encoding, "base64url")
    assert occ.line == 2


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_with_and_without_bom(codec: str) -> None:
    text = "line one\nklaviyo = " + KEY + "\n"
    [(secret, occ)] = detect_bytes("strings.txt", text.encode(codec)).hits
    assert secret.reveal() == KEY
    assert occ.encoding.startswith("utf-16")
    assert (occ.line, occ.column) == (2, 11)


def test_stripe_and_clerk_decoy_bundle_produces_nothing() -> None:
    body = make_key("decoy")[3:]
    decoys = [
        f'"pk_live_{body}"',
        f'"pk_test_{body}"',
        f'atob("{base64.b64encode(("pk_live_" + body).encode()).decode()}")',
        _each("\\x{:02x}", "pk_test_" + body),
        f'"pk_" + "live_{body}"',
        f'["pk_","test_{body}"].join("")',
        urllib.parse.quote("pk_live_" + body),
        f'"PK_{body}"',
        f'"pk_{body}0"',  # one hex digit too many
    ]
    data = (
        "!function(){" + ";".join(f"var a{i}={d}" for i, d in enumerate(decoys)) + "}();"
    ).encode()
    assert detect_bytes("vendor.js", data).hits == ()


def test_joined_array_without_join_is_not_a_key() -> None:
    data = f'x=["{KEY[:3]}", "{KEY[3:]}"]'.encode()
    assert detect_bytes("a.js", data).hits == ()


def test_plain_key_is_reported_once_not_again_by_a_decoder() -> None:
    data = f'a="{KEY}\\n";b="{KEY}"+"";'.encode()
    detection = detect_bytes("a.js", data)
    assert [o.encoding for _, o in detection.hits] == ["plain", "plain"]


def test_allowlist_pragma_applies_to_decoded_keys() -> None:
    data = (_each("\\x{:02x}") + "  // pragma: allowlist secret\n").encode()
    detection = detect_bytes("a.js", data)
    assert detection.hits == ()
    assert detection.allowlisted == 1


def test_invalid_utf8_and_utf16_do_not_break_the_scan() -> None:
    junk = b"\xff\xfe\x00\xd8\x00\xdc\xc3\x28\xa0\xa1\xf0\x28\x8c\xbc"
    data = junk + b"\n" + _each("\\x{:02x}").encode() + b"\n" + junk + KEY.encode("utf-16-le")
    found = {(o.encoding, s.reveal()) for s, o in detect_bytes("blob.bin", data).hits}
    assert ("js-escape", KEY) in found
    assert ("utf-16-le", KEY) in found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_decoders_never_crash_on_arbitrary_bytes(data: bytes) -> None:
    for hit in decode_all(data):
        assert 0 <= hit.start < hit.end <= len(data)


_PIECES = st.sampled_from(
    [
        "\\",
        "\\x",
        "\\u",
        "\\u{",
        "%",
        "%25",
        "&#",
        "&#x",
        ";",
        '"',
        "'",
        "`",
        "${",
        "}",
        "+",
        ",",
        "[",
        "]",
        '.join("")',
        "p",
        "k",
        "_",
        "pk_",
        "cGtf",
        "BrX",
        "wa1",
        "\x00",
        "7",
        "f",
        "a",
        " ",
        "\n",
        "data:;base64,",
        "atob(",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60), st.integers(min_value=0, max_value=60))
def test_decoders_fuzz_near_miss_syntax_with_an_embedded_key(pieces: list[str], at: int) -> None:
    text = "".join(pieces[:at]) + " " + KEY + " " + "".join(pieces[at:])
    data = text.encode("utf-8", "surrogatepass")
    keys = [s.reveal() for s, _ in detect_bytes("f.js", data).hits]
    assert KEY in keys  # a plain key survives any surrounding noise
    for hit in decode_all(data):
        assert 0 <= hit.start < hit.end <= len(data)


@pytest.mark.parametrize(
    "shape",
    [
        'f("{a}"+"{b}", x)',
        '{{a: "{a}"+"{b}", b: 1}}',
        'g(1, "{a}" + "{b}", 2);',
        'f("{a}"+"{b}")',
        '{{a: "{a}"+"{b}"}}',
        'x = "{a}"+"{b}";',
        'y = ["{a}"+"{b}"]',
    ],
)
def test_split_key_before_a_comma_or_a_closer_is_found(shape: str) -> None:
    text = shape.format(a=KEY[:9], b=KEY[9:])
    found = [h for h in decode_all(text.encode()) if h.key == KEY]
    assert [h.encoding for h in found] == ["concat"]
    assert found[0].start == text.index(KEY[:9])


@pytest.mark.parametrize("escape", ["\\x{:02x}", "\\u{:04x}", "\\u{{{:x}}}"])
def test_split_key_with_escaped_fragments_is_found(escape: str) -> None:
    tail = "".join(escape.format(ord(c)) for c in KEY[10:])
    text = f'f("{KEY[:10]}"+"{tail}", x);'
    found = [h for h in decode_all(text.encode()) if h.key == KEY]
    assert [(h.encoding, h.start) for h in found] == [("concat", 3)]
