"""What is and is not a Klaviyo private key, through the regex and through the byte scanner.

Every positive and every decoy is built at run time from a label, so the repository holds
no key literal. Each case goes through three doors: ``KEY_RE`` (what the detect-secrets
plugin uses), ``find_in_bytes`` and ``find_in_stream`` with tiny chunks (what our own
scans use): they must agree.
"""

from __future__ import annotations

import base64
import hashlib
import io
import string

import pytest

from plugins import pattern
from scanner.detect.matches import RawMatch, find_in_bytes, find_in_stream
from tests.support.keys import hex_run, make_key

CHUNK_SIZES = (1, 2, 5, 37, 64, 65, 4096)


def _alnum_run(
    label: str, length: int, alphabet: str = string.ascii_letters + string.digits
) -> str:
    digest = b""
    counter = 0
    while len(digest) < length:
        digest += hashlib.sha256(f"{label}:{counter}".encode()).digest()
        counter += 1
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def _all_doors(text: str) -> list[list[str]]:
    """The keys each scanning path finds in *text*, one list per path."""
    data = text.encode("utf-8")
    found = [pattern.KEY_RE.findall(text), [m.key for m in find_in_bytes(data)]]
    found.extend([m.key for m in _stream(data, size)] for size in CHUNK_SIZES)
    return found


def _stream(data: bytes, chunk_size: int) -> list[RawMatch]:
    return find_in_stream(io.BytesIO(data).read, chunk_size)


# --- positives ---------------------------------------------------------------------------

POSITIVE_CONTEXTS = {
    "python source": 'client = KlaviyoAPI(api_key="{key}")\n',
    "typescript": "const apiKey: string = `{key}`;\n",
    "yaml config": "klaviyo:\n  private_key: {key}\n  timeout: 5\n",
    "ini config": "[klaviyo]\nprivate_key = {key}\n",
    "dotenv": "DEBUG=1\nKLAVIYO_PRIVATE_KEY={key}\n",
    "dotenv quoted": "KLAVIYO_PRIVATE_KEY='{key}'\n",
    "json": '{{"klaviyo": {{"api_key": "{key}", "enabled": true}}}}\n',
    "html": '<div data-klaviyo="{key}"></div>\n',
    "url api_key": "GET https://a.klaviyo.com/api/profiles/?api_key={key}&page=2\n",
    "url company_id": '<script src="https://static.klaviyo.com/onsite/js/klaviyo.js?company_id={key}">',
    "minified line": "var a=1;" * 2000 + 'n.k="{key}",' + "b=2;" * 2000,
    "shell": "curl -H 'Authorization: Klaviyo-API-Key {key}' https://a.klaviyo.com/api/accounts\n",
    "start of file": "{key}\n",
    "end of file, no newline": "key={key}",
}


@pytest.mark.parametrize("prefixed", [False, True], ids=["classic", "prefixed"])
@pytest.mark.parametrize("context", sorted(POSITIVE_CONTEXTS))
def test_finds_the_key_in_any_text(context: str, prefixed: bool) -> None:
    key = make_key(f"positive {context}", prefixed=prefixed)
    assert pattern.is_key(key)
    text = POSITIVE_CONTEXTS[context].format(key=key)
    for found in _all_doors(text):
        assert found == [key]


@pytest.mark.parametrize("prefixed", [False, True], ids=["classic", "prefixed"])
def test_reports_line_and_columns_where_the_key_is(prefixed: bool) -> None:
    key = make_key("position", prefixed=prefixed)
    # "é" is 2 UTF-8 bytes and 1 UTF-16 unit; the emoji is 4 bytes and 2 units.
    text = f"first line\nname = 'é\U0001f600' key = {key} # tail\n"
    line2 = text.split("\n")[1]
    prefix = line2[: line2.index(key)]
    for matches in [find_in_bytes(text.encode())] + [
        _stream(text.encode(), size) for size in CHUNK_SIZES
    ]:
        (match,) = matches
        assert (match.key, match.line) == (key, 2)
        assert match.byte_column == len(prefix.encode("utf-8")) + 1
        assert match.column == len(prefix.encode("utf-16-le")) // 2 + 1
        assert match.offset == text.encode().index(key.encode())


def test_finds_every_key_on_a_line_and_across_lines() -> None:
    keys = [make_key(f"many {i}", prefixed=i % 2 == 1) for i in range(5)]
    text = f"a={keys[0]},b={keys[1]};{keys[2]}\n\n{keys[3]}\t{keys[4]}\n"
    for found in _all_doors(text):
        assert found == keys


# --- negatives ---------------------------------------------------------------------------


def _decoys() -> dict[str, str]:
    """Things that look like a Klaviyo key and are not one, built at run time."""
    body = hex_run("decoy body", 34)
    six = _alnum_run("decoy six", 6)
    upper_body = hex_run("decoy upper", 34).upper()
    assert upper_body != upper_body.lower(), "the decoy needs at least one hex letter"
    key = make_key("decoy glued")
    prefixed = make_key("decoy glued prefixed", prefixed=True)
    return {
        "stripe live": "pk_live_" + _alnum_run("stripe live", 99),
        "stripe test": "pk_test_" + _alnum_run("stripe test", 99),
        "stripe-shaped with a hex body": "pk_live_" + body,
        "stripe test with a hex body": "pk_test_" + body,
        "clerk": "pk_test_" + base64.b64encode(b"clerk.example.com$").decode(),
        "clickup 6 digits": "pk_"
        + _alnum_run("cu6", 6, string.digits)
        + "_"
        + _alnum_run("cu6 tail", 32, string.ascii_uppercase + string.digits),
        "clickup 8 digits": "pk_"
        + _alnum_run("cu8", 8, string.digits)
        + "_"
        + _alnum_run("cu8 tail", 32, string.ascii_uppercase + string.digits),
        "typeorm": f'CONSTRAINT "PK_{hex_run("typeorm", 27)}" PRIMARY KEY ("id")',
        "typeorm with 34 hex": "PK_" + body,
        "uppercase hex": "pk_" + upper_body,
        "uppercase hex, prefixed": f"pk_{six}_" + upper_body,
        "uppercase PK_ prefix": "PK_" + six + "_" + body,
        "33 hex": "pk_" + hex_run("short", 33),
        "35 hex": "pk_" + hex_run("long", 35),
        "33 hex, prefixed": f"pk_{six}_" + hex_run("short p", 33),
        "35 hex, prefixed": f"pk_{six}_" + hex_run("long p", 35),
        "40 hex": "pk_" + hex_run("sha1 sized", 40),
        "64 hex": "pk_" + hex_run("sha256 sized", 64),
        "5-character prefix": f"pk_{six[:5]}_" + body,
        "7-character prefix": f"pk_{six}x_" + body,
        "glued: letter before": "x" + key,
        "glued: digit before": "7" + key,
        "glued: underscore before": "my_" + key,
        "glued: letter after": key + "g",
        "glued: underscore after": key + "_old",
        "glued: inside an identifier": f"const_{key}_value",
        "glued: prefixed, letter before": "a" + prefixed,
        "glued: prefixed, letter after": prefixed + "Z",
        "public key / site id": "company_id=" + six,
        "public key in the onsite script": (
            f'<script src="https://static.klaviyo.com/onsite/js/klaviyo.js?company_id={six}">'
        ),
        "pk_ + site id only": "pk_" + six,
        "pk_ + site id and underscore": f"pk_{six}_",
    }


DECOY_NAMES = sorted(_decoys())


@pytest.mark.parametrize("name", DECOY_NAMES)
def test_does_not_fire_on_lookalikes(name: str) -> None:
    decoy = _decoys()[name]
    assert not pattern.is_key(decoy)
    for text in (decoy, f"x = '{decoy}'\n", f"?api_key={decoy}&a=1", "a;" * 300 + decoy):
        for found in _all_doors(text):
            assert found == [], text


def test_a_key_next_to_decoys_is_still_found() -> None:
    key = make_key("among decoys")
    text = " ".join(_decoys().values()) + f" {key} " + " ".join(_decoys().values())
    for found in _all_doors(text):
        assert found == [key]


# --- helpers -----------------------------------------------------------------------------


def test_is_key_wants_exactly_one_key() -> None:
    key = make_key("exact")
    assert pattern.is_key(key)
    assert not pattern.is_key(key + "\n")
    assert not pattern.is_key(" " + key)
    assert not pattern.is_key(key + key)


def test_fingerprints_and_redaction() -> None:
    key = make_key("helpers")
    assert pattern.fingerprint(key) == hashlib.sha256(key.encode()).hexdigest()
    assert pattern.baseline_hash(key) == hashlib.sha1(key.encode()).hexdigest()  # noqa: S324
    assert pattern.redact(key) == "pk_…" + key[-4:]
    assert pattern.short_fingerprint(pattern.fingerprint(key)) == pattern.fingerprint(key)[:12]


def test_a_secret_never_shows_itself_by_accident() -> None:
    key = make_key("secret wrapper")
    secret = pattern.Secret(key)
    assert key not in repr(secret)
    assert key not in str(secret)
    assert key not in f"{secret!r} {secret}"
    assert secret.reveal() == key
    assert secret == pattern.Secret(key)
    assert secret.fingerprint == pattern.fingerprint(key)


def test_groups_are_non_capturing() -> None:
    # detect-secrets reports every captured group as a separate secret.
    assert pattern.KEY_RE.groups == 0
    assert pattern.KEY_RE_BYTES.groups == 0
    assert pattern.BODY_RE_BYTES.groups == 0
