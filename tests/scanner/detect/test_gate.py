"""The one-pass gate: both engines lead the decoders to the same keys, on any input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.detect.decode import decode_all
from scanner.detect.decode.gate import CANDIDATE_LIMIT, FAMILIES, find_gates
from tests.scanner.detect.test_decoders import ENCODED, KEY
from tests.support.keys import make_key

FORMS = [form for forms in ENCODED.values() for form in forms]


def _found(data: bytes, engine: str) -> list[tuple[str, int, str]]:
    gates = find_gates(data, engine=engine)
    return [(h.key, h.start, h.encoding) for h in decode_all(data, gates=gates)]


@pytest.mark.parametrize("form", FORMS)
def test_both_engines_gate_every_form(form: str) -> None:
    data = f"var a = 1;\nvar s = {form};\n".encode()
    for engine in ("re", "hyperscan"):
        found = _found(data, engine)
        assert [key for key, _, _ in found] == [KEY], (engine, form)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            [*FORMS, "pk_", "\\x70", "%70", "&#112;", "cGtf", '"+"', "p", "k_", "\\", " ", "\n"]
        ),
        max_size=12,
    )
)
def test_engines_agree_on_arbitrary_mixtures(pieces: list[str]) -> None:
    data = "".join(pieces).encode()
    assert _found(data, "re") == _found(data, "hyperscan")


def test_no_family_gates_plain_text_or_bait_without_a_key() -> None:
    bait = b"\n".join([b"pk_" * 5000, b"\\u0070" * 5000, b"0123456789abcdef" * 5000])
    for engine in ("re", "hyperscan"):
        gates = find_gates(bait, engine=engine)
        assert {f: gates[f] for f in FAMILIES if gates[f]} == {}
        assert gates.dense == set()


def test_a_dense_family_is_marked_and_still_decoded() -> None:
    import base64

    filler = base64.b64encode(b"pk_" * (CANDIDATE_LIMIT + 10))
    data = filler + b"\n" + base64.b64encode(KEY.encode()) + b"\n"
    for engine in ("re", "hyperscan"):
        gates = find_gates(data, engine=engine)
        assert "base64" in gates.dense
        assert [h.key for h in decode_all(data, gates=gates)] == [KEY]


def test_every_one_of_many_escaped_keys_is_found() -> None:
    keys = [make_key(f"many-{i}") for i in range(CANDIDATE_LIMIT + 500)]
    lines = ["var k = '" + "".join(f"\\x{ord(c):02x}" for c in key) + "';" for key in keys]
    data = "\n".join(lines).encode()
    found = decode_all(data)
    assert len(found) == len(keys)
    assert {h.key for h in found} == set(keys)


def test_a_split_key_among_dense_joints_is_still_found() -> None:
    key = make_key("dense-joints")
    bait = b'"p"+"k_"+' * (CANDIDATE_LIMIT + 100)
    data = bait + f'\nreturn"{key[:8]}"+"{key[8:]}";\n'.encode()
    for engine in ("re", "hyperscan"):
        gates = find_gates(data, engine=engine)
        assert "concat" in gates.dense
        assert [h.key for h in decode_all(data, gates=gates)] == [key]
    assert decode_all(bait) == []
