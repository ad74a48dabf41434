"""Source maps: VLQ, plain and index maps, bad input, and maps a real bundler wrote."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.errors import KeyguardError
from scanner.detect.engine import Detection, detect_bytes
from scanner.detect.sourcemap.lookup import lookup_many
from scanner.detect.sourcemap.model import SourceMapError, parse_map
from scanner.detect.sourcemap.reference import file_resolver, find_reference
from scanner.detect.sourcemap.vlq import VlqError, decode_segment, encode
from scanner.findings import SourceLocation
from tests.support.bundles import esbuild, map_bytes, minify
from tests.support.keys import make_key

KEY = make_key("sourcemap")
CONFIG = f'// config\nexport const cfg = {{\n  region: "us",\n  key: "{KEY}",\n}};\n'
MAIN = 'import { cfg } from "./config";\nconsole.log(cfg.region);\n'


def test_vlq_known_values() -> None:
    assert decode_segment("AAAA") == [0, 0, 0, 0]
    assert decode_segment("gBAAD") == [16, 0, 0, -1]
    assert encode(-1) == "D"
    assert encode(16) == "gB"


@given(st.lists(st.integers(min_value=-(2**31), max_value=2**31), min_size=1, max_size=6))
def test_vlq_round_trip(values: list[int]) -> None:
    assert decode_segment("".join(encode(v) for v in values)) == values


@pytest.mark.parametrize("bad", ["AA!A", "g", "gggggggggA", "//////////8"])
def test_malformed_vlq_is_a_keyguard_error(bad: str) -> None:
    with pytest.raises(VlqError):
        decode_segment(bad)


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"version": 2, "mappings": ""}',
        b"[]",
        b'{"version": 3, "sources": "a.js", "mappings": ""}',
        b'{"version": 3, "sections": [{"map": {}}]}',
        b'{"version": 3, "sections": [{"offset": {"line": -1, "column": 0}, "map": {}}]}',
        b'{"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "url": "x.map"}]}',
        b'{"version": 3, "mappings": 7}',
        b"[" * 100000,
    ],
)
def test_malformed_maps_raise_source_map_error(raw: bytes) -> None:
    with pytest.raises(SourceMapError):
        parse_map(raw)


def test_deeply_nested_index_map_is_refused() -> None:
    inner: dict[str, object] = {"version": 3, "sources": [], "mappings": ""}
    for _ in range(12):
        inner = {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "map": inner}]}
    with pytest.raises(SourceMapError, match="nest"):
        parse_map(json.dumps(inner).encode())


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=12),
        lambda kids: (
            st.lists(kids, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "version",
                        "sources",
                        "sourcesContent",
                        "mappings",
                        "sections",
                        "offset",
                        "line",
                        "column",
                        "map",
                        "sourceRoot",
                    ]
                ),
                kids,
                max_size=5,
            )
        ),
        max_leaves=20,
    ),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 50)), max_size=4),
)
def test_source_map_reader_fuzz(obj: object, positions: list[tuple[int, int]]) -> None:
    if isinstance(obj, dict):
        obj.setdefault("version", 3)
    try:
        smap = parse_map(json.dumps(obj).encode())
        lookup_many(smap, positions)
    except KeyguardError:
        pass  # the only exception the reader may raise


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/,;!", max_size=80
    )
)
def test_mappings_fuzz(mappings: str) -> None:
    smap = parse_map(map_bytes({"version": 3, "sources": ["a"], "mappings": mappings}))
    try:
        for original in lookup_many(smap, [(0, 0), (1, 3), (2, 10)]).values():
            assert original is None or original.source == "a"
    except KeyguardError:
        pass


def _tree(tmp_path: Path, bundle: str, smap: dict[str, object] | None, ref: str | None) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    text = bundle + (f"\n//# sourceMappingURL={ref}\n" if ref else "\n")
    (dist / "index.js").write_text(text)
    if smap is not None:
        (dist / "index.js.map").write_bytes(map_bytes(smap))
    return dist / "index.js"


def _detect(tmp_path: Path, file: Path) -> Detection:
    rel = file.relative_to(tmp_path).as_posix()
    return detect_bytes(rel, file.read_bytes(), resolve=file_resolver(tmp_path, file, 1 << 24))


def test_vite_style_bundle_maps_key_back_to_the_original_line_and_column(tmp_path: Path) -> None:
    built = minify({"src/main.js": MAIN, "src/config.js": CONFIG})
    bundle = _tree(tmp_path, built.bundle, built.map, "index.js.map")
    [(secret, occ)] = _detect(tmp_path, bundle).hits
    assert secret.reveal() == KEY
    assert (occ.path, occ.line) == ("dist/index.js", 1)
    assert occ.original == SourceLocation("dist/src/config.js", 4, 9)


def test_bundle_without_comment_uses_the_neighbouring_map(tmp_path: Path) -> None:
    built = minify({"config.js": CONFIG})
    bundle = _tree(tmp_path, built.bundle, built.map, None)
    [(_, occ)] = _detect(tmp_path, bundle).hits
    assert occ.original == SourceLocation("dist/config.js", 4, 9)


def test_key_only_in_sources_content_reports_the_original(tmp_path: Path) -> None:
    built = minify({"src/main.js": MAIN, "src/config.js": CONFIG})
    # The shipped bundle no longer holds the key (say, tree-shaken), the map still does.
    bundle = _tree(tmp_path, built.bundle.replace(KEY, "x"), built.map, "index.js.map")
    assert _detect(tmp_path, bundle).hits == ()
    [(secret, occ)] = _detect(tmp_path, bundle.with_suffix(".js.map")).hits
    assert secret.reveal() == KEY
    assert occ.path == "dist/index.js.map"
    assert occ.original == SourceLocation("dist/src/config.js", 4, 9)


@pytest.mark.parametrize("in_bundle", [True, False])
def test_inline_data_uri_map(tmp_path: Path, in_bundle: bool) -> None:
    built = minify({"src/config.js": CONFIG})
    code = built.bundle if in_bundle else built.bundle.replace(KEY, "x")
    uri = (
        "data:application/json;charset=utf-8;base64,"
        + base64.b64encode(map_bytes(built.map)).decode()
    )
    data = (code + "\n//# sourceMappingURL=" + uri + "\n").encode()
    hits = detect_bytes("out/app.js", data).hits
    expected = SourceLocation("out/src/config.js", 4, 9)
    assert [o.original for _, o in hits] == ([expected, expected] if in_bundle else [expected])
    assert all(s.reveal() == KEY for s, _ in hits)
    if not in_bundle:
        assert hits[0][1].line == 2  # the key sits in the comment's data URI, on line 2


def test_index_map_with_sections(tmp_path: Path) -> None:
    first = minify({"a.js": MAIN})
    second = minify({"b/config.js": CONFIG})
    lines = first.bundle + "\n" + second.bundle
    index = {
        "version": 3,
        "sections": [
            {"offset": {"line": 0, "column": 0}, "map": first.map},
            {"offset": {"line": 1, "column": 0}, "map": second.map},
        ],
    }
    uri = "data:application/json," + urllib.parse.quote(json.dumps(index))
    data = (lines + "\n//# sourceMappingURL=" + uri + "\n").encode()
    hits = detect_bytes("x.js", data).hits
    bundle_hits = [o for _, o in hits if o.line == 2]
    assert [o.original for o in bundle_hits] == [SourceLocation("b/config.js", 4, 9)]


def test_out_of_range_source_index_gives_no_original(tmp_path: Path) -> None:
    built = minify({"config.js": CONFIG})
    built.map["sources"] = []  # every segment now names a source that is not there
    del built.map["sourcesContent"]
    bundle = _tree(tmp_path, built.bundle, built.map, "index.js.map")
    [(_, occ)] = _detect(tmp_path, bundle).hits
    assert occ.original is None


def test_truncated_map_is_a_note_and_the_key_still_reported(tmp_path: Path) -> None:
    built = minify({"config.js": CONFIG})
    bundle = _tree(tmp_path, built.bundle, None, "index.js.map")
    (bundle.parent / "index.js.map").write_bytes(map_bytes(built.map)[:50])
    detection = _detect(tmp_path, bundle)
    [(_, occ)] = detection.hits
    assert occ.original is None
    assert [n.message for n in detection.notes] == [
        "source map is not valid JSON (JSONDecodeError)"
    ]


@pytest.mark.parametrize(
    "ref",
    [
        "/ABS/evil.map",
        "file:///ABS/evil.map",
        "https://cdn.example.net/index.js.map",
        "//cdn.example.net/x.map",
        "../../outside/evil.map",
    ],
)
def test_references_outside_the_tree_are_never_read(tmp_path: Path, ref: str) -> None:
    built = minify({"config.js": CONFIG})
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.map").write_bytes(map_bytes(built.map))
    root = tmp_path / "root"
    root.mkdir()
    bundle = _tree(root, built.bundle, None, ref.replace("/ABS", str(outside)))
    detection = _detect(root, bundle)
    [(_, occ)] = detection.hits
    assert occ.original is None  # had the map been read, this would be config.js:4
    [note] = detection.notes
    assert "not read" in note.message


def test_find_reference_ignores_a_mention_that_is_not_the_trailing_comment() -> None:
    assert find_reference(b'x="//# sourceMappingURL=a.map";\nmore()') is None
    ref = find_reference(b"code()\n/*# sourceMappingURL=a.css.map */\n")
    assert ref is not None
    assert ref.url == "a.css.map"


@pytest.mark.parametrize("inline", [False, True])
def test_maps_written_by_esbuild(tmp_path: Path, esbuild_exe: Path, inline: bool) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.js").write_text(
        'import { cfg } from "./config.js";\n'
        "function boot(s) {\n"
        '  return fetch("/x", { headers: { Authorization: "Klaviyo-API-Key " + s.key } });\n'
        "}\nboot(cfg);\n"
    )
    (src / "config.js").write_text(CONFIG)
    out = tmp_path / "dist" / "app.js"
    esbuild(esbuild_exe, src / "main.js", out, "--sourcemap=inline" if inline else "--sourcemap")
    detection = _detect(tmp_path, out)
    bundle_hits = [o for _, o in detection.hits if o.encoding == "plain"]
    assert len(bundle_hits) == 1
    assert bundle_hits[0].original == SourceLocation("src/config.js", 4, 9)
    if not inline:
        [(_, in_map)] = _detect(tmp_path, out.with_suffix(".js.map")).hits
        assert in_map.original == SourceLocation("src/config.js", 4, 9)
    else:
        # The inline map's sourcesContent holds the key too, base64-encoded in the comment.
        assert [o.original for _, o in detection.hits if o.encoding == "data-uri"] == [
            SourceLocation("src/config.js", 4, 9)
        ]


_BUILT = minify({"src/config.js": CONFIG, "src/main.js": MAIN})
_MAP = map_bytes(_BUILT.map)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.binary(min_size=0, max_size=3)), max_size=5))
def test_damaged_maps_through_the_detection_seam(edits: list[tuple[int, bytes]]) -> None:
    damaged = bytearray(_MAP)
    for pos, replacement in edits:
        at = pos % len(damaged)
        damaged[at : at + len(replacement)] = replacement
    raw = bytes(damaged)
    bundle = (_BUILT.bundle + "\n//# sourceMappingURL=app.js.map\n").encode()
    inline = (
        _BUILT.bundle
        + "\n//# sourceMappingURL=data:application/json;base64,"
        + base64.b64encode(raw).decode()
        + "\n"
    ).encode()
    for detection in (
        detect_bytes("app.js", bundle, resolve=lambda _ref: raw),
        detect_bytes("app.js.map", raw),
        detect_bytes("inline.js", inline),
    ):
        for secret, occ in detection.hits:
            assert secret.reveal()
            assert occ.original is None or occ.original.line >= 1


def _naive(mappings: str, sources: int, line: int, column: int) -> tuple[int, int, int] | None:
    state = [0, 0, 0]
    best = None
    for n, text in enumerate(mappings.split(";")):
        gen = 0
        for seg in filter(None, text.split(",")):
            values = decode_segment(seg)
            gen += values[0]
            if len(values) > 1:
                state = [state[0] + values[1], state[1] + values[2], state[2] + values[3]]
                if n == line and gen <= column and (best is None or gen >= best[0]):
                    best = (gen, *state)
    if best is None or not 0 <= best[1] < sources or min(best[2:]) < 0:
        return None
    return best[1], best[2], best[3]


_SEGMENT = st.lists(st.integers(-3, 5), min_size=4, max_size=4).map(
    lambda v: "".join(encode(x) for x in v)
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_SEGMENT, max_size=6).map(",".join), min_size=1, max_size=6).map(";".join),
    st.integers(0, 6),
    st.integers(0, 20),
)
def test_lookup_agrees_with_a_naive_reading(mappings: str, line: int, column: int) -> None:
    smap = parse_map(map_bytes({"version": 3, "sources": ["a", "b", "c"], "mappings": mappings}))
    got = lookup_many(smap, [(line, column)])[(line, column)]
    expected = _naive(mappings, 3, line, column)
    assert (None if got is None else (["a", "b", "c"].index(got.source), got.line, got.column)) == (
        expected
    )


def test_a_map_file_that_is_not_a_source_map_is_scanned_without_a_note() -> None:
    detection = detect_bytes("levels/castle.map", f"spawn 3 4\nkey {KEY}\n".encode())
    [(_, occ)] = detection.hits
    assert (occ.line, occ.column, occ.original) == (2, 5, None)
    assert detection.notes == ()


@pytest.mark.parametrize(
    "code",
    [
        f'const k = "{KEY[:3]}" + "{KEY[3:]}";\n',
        f'const k = `{KEY[:3]}${{"{KEY[3:]}"}}`;\n',
        f'const k = ["{KEY[:3]}", "{KEY[3:]}"].join("");\n',
    ],
)
def test_split_key_only_in_sources_content(code: str) -> None:
    built = minify({"src/a.js": "// a\n" + code})
    data = map_bytes(built.map)
    assert KEY.encode() not in data
    [(secret, occ)] = detect_bytes("dist/a.js.map", data).hits
    assert secret.reveal() == KEY
    assert occ.encoding == "sourcesContent"
    assert occ.original is not None
    assert (occ.original.path, occ.original.line) == ("dist/src/a.js", 2)


def test_escaped_key_only_in_sources_content() -> None:
    escaped = "".join(f"\\x{ord(c):02x}" for c in KEY)
    built = minify({"src/a.js": f'// a\nconst k = "{escaped}";\n'})
    [(secret, occ)] = detect_bytes("dist/a.js.map", map_bytes(built.map)).hits
    assert secret.reveal() == KEY
    assert occ.encoding == "js-escape"
    assert occ.original == SourceLocation("dist/src/a.js", 2, 12)
