"""Compressed assets and archives, opened in memory, with bombs and bad names refused."""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import brotli
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keyguard import error_wording
from plugins.pattern import is_key
from scanner.detect.archives import ArchiveLimits, safe_name
from scanner.detect.engine import detect_bytes, detect_stream
from scanner.detect.options import DetectOptions
from scanner.findings import SourceLocation
from scanner.scan import scan_paths
from scanner.sweep import SweepOptions, sweep_target
from tests.support.archives import (
    bad_header,
    cut_gzip,
    data_offset,
    encrypted_flag,
    tar_of,
    tgz_of,
    zip_of,
)
from tests.support.bundles import map_bytes, minify
from tests.support.git import git, init_repo
from tests.support.keys import make_key

KEY = make_key("archives")
CONFIG = f'export const cfg = {{\n  key: "{KEY}",\n}};\n'
JS = f'!function(){{var a="{KEY}";fetch(a)}}();\n'.encode()


def _one(path: str, data: bytes) -> tuple[str, int, int, str]:
    detection = detect_bytes(path, data)
    [(secret, occ)] = detection.hits
    assert secret.reveal() == KEY
    return occ.path, occ.line, occ.column, occ.encoding


def test_gzip_asset_is_the_file_itself() -> None:
    assert _one("dist/app.js.gz", gzip.compress(b"\n\n" + JS)) == ("dist/app.js.gz", 3, 20, "plain")


def test_brotli_asset() -> None:
    assert _one("dist/app.js.br", brotli.compress(JS)) == ("dist/app.js.br", 1, 20, "plain")


def test_npm_tgz_with_its_map_inside() -> None:
    built = minify({"../src/config.js": CONFIG})
    tgz = tgz_of(
        {
            "package/package.json": b'{"name": "x"}',
            "package/dist/index.js": (
                built.bundle + "\n//# sourceMappingURL=index.js.map\n"
            ).encode(),
            "package/dist/index.js.map": map_bytes(built.map),
        }
    )
    hits = detect_bytes("vendor/x-1.0.0.tgz", tgz).hits
    by_path = {o.path: o for _, o in hits}
    assert set(by_path) == {
        "vendor/x-1.0.0.tgz!/package/dist/index.js",
        "vendor/x-1.0.0.tgz!/package/dist/index.js.map",
    }
    expected = SourceLocation("vendor/x-1.0.0.tgz!/package/src/config.js", 2, 9)
    assert {o.original for o in by_path.values()} == {expected}


def test_apk_like_zip_with_nested_bundle_and_nested_zip() -> None:
    inner = zip_of({"classes/Config.txt": b"key = " + KEY.encode() + b"\n"})
    apk = zip_of(
        {
            "AndroidManifest.xml": b"\x03\x00\x08\x00binary",
            "assets/index.android.bundle": b"__d(function(){\n" + JS + b"});",
            "lib/inner.jar": inner,
        }
    )
    paths = sorted(o.path for _, o in detect_bytes("app.apk", apk).hits)
    assert paths == [
        "app.apk!/assets/index.android.bundle",
        "app.apk!/lib/inner.jar!/classes/Config.txt",
    ]


def test_zip_bomb_member_is_refused_the_rest_scanned() -> None:
    bomb = zip_of({"a.js": JS, "bomb.bin": b"\0" * (64 << 20)})
    detection = detect_bytes("bomb.zip", bomb)
    assert [o.path for _, o in detection.hits] == ["bomb.zip!/a.js"]
    [note] = detection.notes
    assert "bomb.bin" in note.message
    assert "200:1" in note.message


def test_member_larger_than_the_per_member_cap() -> None:
    data = zip_of({"big.txt": bytes(range(256)) * 40_000, "a.js": JS}, method=zipfile.ZIP_STORED)
    options = DetectOptions(limits=ArchiveLimits(max_member_bytes=1 << 20))
    detection = detect_bytes("x.zip", data, options=options)
    assert [o.path for _, o in detection.hits] == ["x.zip!/a.js"]
    assert "max-member-bytes" in error_wording.note(detection.notes[0])


def test_nested_archive_bomb_stops_at_the_depth_limit() -> None:
    blob = JS
    for level in range(8):
        blob = zip_of({f"level{level}.zip" if level else "a.js": blob})
    detection = detect_bytes("nest.zip", blob)
    assert detection.hits == ()
    [note] = detection.notes
    assert "deeper than 4" in note.message
    shallow = detect_bytes(
        "nest.zip", blob, options=DetectOptions(limits=ArchiveLimits(max_depth=9))
    )
    assert len(shallow.hits) == 1


def test_total_budget_across_many_members() -> None:
    members = {f"m{i}.txt": bytes([i]) * (600 << 10) for i in range(8)}
    members["z.js"] = JS
    options = DetectOptions(limits=ArchiveLimits(max_total_bytes=2 << 20))
    detection = detect_bytes("many.zip", zip_of(members), options=options)
    # Three members fit the budget; later big ones are refused, the small bundle still fits.
    assert [o.path for _, o in detection.hits] == ["many.zip!/z.js"]
    assert [n.message.split(":")[0] for n in detection.notes if "budget" in n.message] == [
        f"m{i}.txt" for i in range(3, 8)
    ]


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/x.js", "/abs/x.js", "C:\\win\\x.js", "a/../../x.js"]
)
def test_path_traversal_names_are_noted_and_never_used(name: str) -> None:
    detection = detect_bytes("evil.zip", zip_of({name: JS}))
    [(_, occ)] = detection.hits
    assert ".." not in occ.path
    assert occ.path.startswith("evil.zip!/")
    assert not occ.path.startswith("evil.zip!//")
    # Read in full under a safe name: a warning, not something left unread.
    assert detection.notes == ()
    assert "escapes the archive" in detection.warnings[0].message
    assert safe_name(name)[1] is True


def test_traversal_in_tar_too() -> None:
    detection = detect_bytes("evil.tar", tar_of({"../x.js": JS}))
    assert [o.path for _, o in detection.hits] == ["evil.tar!/x.js"]


def test_truncated_gzip_scans_what_it_recovered() -> None:
    data = gzip.compress(JS + b"\n" + b"y" * 50_000)[:-40]
    detection = detect_bytes("a.js.gz", data)
    assert len(detection.hits) == 1
    assert detection.notes == ()
    [warning] = detection.warnings
    assert "truncated gzip" in warning.message


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_zip_without_its_directory_is_read_from_its_local_headers(method: int) -> None:
    data = zip_of({"a.js": JS, "b.txt": b"x" * 300}, method=method)
    broken = data[: data.rindex(b"PK\x01\x02")]  # central directory cut off
    detection = detect_bytes("a.zip", broken)
    assert [o.path for _, o in detection.hits] == ["a.zip!/a.js"]
    assert detection.notes == ()
    assert [w.message for w in detection.warnings] == [
        "unreadable zip archive (BadZipFile); its 2 members read from their local headers"
    ]


def test_a_br_name_that_is_not_brotli_is_read_as_it_is() -> None:
    detection = detect_bytes("hosts.example.com.br", b"# hosts\nkey " + KEY.encode() + b"\n")
    [(_, occ)] = detection.hits
    assert (occ.path, occ.line, occ.column) == ("hosts.example.com.br", 2, 5)
    assert detection.notes == ()


def test_truncated_brotli_scans_what_it_recovered() -> None:
    data = brotli.compress(JS + bytes(range(256)) * 400)
    detection = detect_bytes("a.js.br", data[: len(data) // 2])
    assert len(detection.hits) == 1
    assert detection.notes == ()
    assert "truncated brotli stream" in detection.warnings[0].message


_SAMPLES = {
    "zip": zip_of({"a/b.js": JS, "c.txt": b"x" * 300}),
    "tgz": tgz_of({"package/a.js": JS}),
    "tar": tar_of({"a.js": JS}),
    "gz": gzip.compress(JS),
    "br": brotli.compress(JS),
}


@settings(max_examples=250, deadline=None)
@given(
    st.sampled_from(sorted(_SAMPLES)),
    st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), max_size=6),
    st.integers(0, 4096),
)
def test_damaged_archives_never_raise(kind: str, flips: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(_SAMPLES[kind])
    for pos, value in flips:
        data[pos % len(data)] = value
    damaged = bytes(data[: max(1, len(data) - cut % len(data))])
    detection = detect_bytes(f"x.{kind}", damaged)
    for secret, occ in detection.hits:
        assert is_key(secret.reveal())  # damage can turn one key into another, never worse
        assert occ.path.startswith(f"x.{kind}")


def _big_apk(path: Path, key: str) -> None:
    """A zip over scan's streaming bound: a stored incompressible member, then the key."""
    with zipfile.ZipFile(path, "w") as apk:
        apk.writestr(zipfile.ZipInfo("assets/blob.bin"), os.urandom(34 << 20))
        apk.writestr("res/config.json", f'{{"klaviyo": "{key}"}}\n' * 50, zipfile.ZIP_DEFLATED)


def test_archive_over_the_in_memory_bound_is_opened_from_disk_and_from_history(
    tmp_path: Path,
) -> None:
    key = make_key("big-apk")
    repo = init_repo(tmp_path / "r")
    _big_apk(repo / "app.apk", key)
    small = DetectOptions(in_memory=8 << 20)  # the 64 MiB default, scaled down
    scanned = scan_paths([repo / "app.apk"], options=small)
    [finding] = scanned.findings
    assert finding.secret.reveal() == key
    assert {o.path for o in finding.occurrences} == {f"{repo / 'app.apk'}!/res/config.json"}
    git(repo, "add", "app.apk")
    git(repo, "commit", "-q", "-m", "release")
    swept = sweep_target(repo, SweepOptions(worktree=False, detect=small))
    assert {(s.reveal(), o.path) for s, o in swept.hits} == {(key, "app.apk!/res/config.json")}


def test_a_compressed_stream_past_the_bound_is_scanned_as_bytes_with_a_note() -> None:
    data = gzip.compress(os.urandom(3 << 20), compresslevel=1)
    stream = io.BytesIO(data)
    detection = detect_stream("big.js.gz", stream.read, options=DetectOptions(in_memory=1 << 20))
    assert [n.message for n in detection.notes] == [
        f"gzip stream larger than {1 << 20} bytes; not decompressed, scanned as its bytes"
    ]


def _package(cut_key: str) -> bytes:
    """An npm-style tar: a whole member with KEY, then one with *cut_key* early in it."""
    return tar_of(
        {
            "package/index.js": JS,
            "package/rand": f'"{cut_key}"\n'.encode() + os.urandom(3000).hex().encode(),
        }
    )


def test_a_tgz_cut_inside_a_member_is_one_warning_and_every_byte_read() -> None:
    # What npm's tar test fixture cb-never-called-1.0.1.tgz is: the gzip stream ends
    # inside the tar's last member.
    later = make_key("cut-member")
    tar = _package(later)
    keep = data_offset(tar, "package/rand") + 200
    detection = detect_bytes("fixtures/cb.tgz", cut_gzip(tar, keep))
    assert sorted((s.reveal(), o.path) for s, o in detection.hits) == sorted(
        [(KEY, "fixtures/cb.tgz!/package/index.js"), (later, "fixtures/cb.tgz!/package/rand")]
    )
    assert detection.notes == ()
    assert [(w.path, w.message) for w in detection.warnings] == [
        ("fixtures/cb.tgz", f"truncated gzip stream; scanned the {keep} bytes recovered")
    ]


def test_a_plain_tar_cut_short_says_which_member_it_read_in_part() -> None:
    later = make_key("cut-tar")
    tar = _package(later)
    detection = detect_bytes("x.tar", tar[: data_offset(tar, "package/rand") + 100])
    assert {o.path for _, o in detection.hits} == {"x.tar!/package/index.js", "x.tar!/package/rand"}
    assert detection.notes == ()
    assert [w.message for w in detection.warnings] == [
        "truncated tar archive; scanned the members before the cut and the part of "
        "package/rand present"
    ]


def test_members_after_a_damaged_tar_header_are_read_as_bytes() -> None:
    later = make_key("after-bad-header")
    tar = tar_of({"a.js": JS, "b.txt": b"plain\n", "c.env": f"KEY={later}\n".encode()})
    detection = detect_bytes("x.tar", bad_header(tar, "b.txt"))
    # tarfile stops quietly at the bad header: c.env was never scanned before.
    assert sorted((s.reveal(), o.path) for s, o in detection.hits) == sorted(
        [(KEY, "x.tar!/a.js"), (later, "x.tar")]
    )
    assert detection.notes == ()
    [warning] = detection.warnings
    assert warning.message.endswith("scanned as bytes, nothing compressed in them")


def test_a_compressed_member_after_a_damaged_tar_header_is_an_error() -> None:
    tar = tar_of({"a.js": JS, "b.txt": b"plain\n", "c.js.gz": gzip.compress(JS)})
    detection = detect_bytes("x.tar", bad_header(tar, "b.txt"))
    assert [o.path for _, o in detection.hits] == ["x.tar!/a.js"]
    assert detection.warnings == ()
    [note] = detection.notes
    assert note.message.endswith("scanned as bytes, but anything compressed in them was not opened")


def test_a_second_tar_appended_is_read_too() -> None:
    later = make_key("appended")
    joined = tar_of({"a.js": JS}) + tar_of({"b.env": f"KEY={later}\n".encode()})
    detection = detect_bytes("x.tar", joined)
    assert {s.reveal() for s, _ in detection.hits} == {KEY, later}
    assert detection.notes == ()
    assert len(detection.warnings) == 1


def test_a_tar_whose_first_header_is_damaged_is_scanned_as_bytes() -> None:
    plain = bad_header(tar_of({"a.js": JS}), "a.js")
    detection = detect_bytes("x.tar", plain)
    assert [o.path for _, o in detection.hits] == ["x.tar"]
    assert detection.notes == ()
    assert [w.message for w in detection.warnings] == [
        "unreadable tar archive (ReadError); scanned as bytes, nothing compressed in it"
    ]
    packed = bad_header(tar_of({"a.js": JS, "b.js.gz": gzip.compress(JS)}), "a.js")
    [note] = detect_bytes("y.tar", packed).notes
    assert note.message == (
        "unreadable tar archive (ReadError); scanned as bytes, but anything compressed in it "
        "was not opened"
    )


def test_an_encrypted_zip_member_is_an_error_the_others_read() -> None:
    locked = encrypted_flag(zip_of({"secret.js": JS}))
    detection = detect_bytes("x.zip", zip_of({"a.js": JS, "locked.zip": locked}))
    assert [o.path for _, o in detection.hits] == ["x.zip!/a.js"]
    assert detection.warnings == ()
    assert [(n.path, n.message) for n in detection.notes] == [
        ("x.zip!/locked.zip", "secret.js: encrypted zip member; not scanned")
    ]


def test_limits_stay_errors_never_warnings() -> None:
    bomb = detect_bytes("bomb.zip", zip_of({"zeros.bin": b"\0" * (64 << 20)}))
    deep = detect_bytes("nest.zip", zip_of({"in.zip": zip_of({"a.js": JS})}), options=_depth(1))
    for detection in (bomb, deep):
        assert detection.warnings == ()
        assert len(detection.notes) == 1


def _depth(levels: int) -> DetectOptions:
    return DetectOptions(limits=ArchiveLimits(max_depth=levels))


def test_a_member_name_met_twice_is_read_twice() -> None:
    # ``tar -r`` appends a new version under the same name: it was never read before.
    later = make_key("appended-version")
    tar = tar_of([("config.env", b"KEY=none\n"), ("config.env", f"KEY={later}\n".encode())])
    detection = detect_bytes("x.tar", tar)
    assert [(s.reveal(), o.path) for s, o in detection.hits] == [(later, "x.tar!/config.env")]
    assert (detection.notes, detection.warnings) == ((), ())


def test_a_tar_past_the_in_memory_bound_cut_short_is_read_from_its_spool() -> None:
    later = make_key("spooled-cut")
    tar = tar_of({"blob.bin": os.urandom(2 << 20), "z.env": f"KEY={later}\n".encode() * 40})
    cut = tar[: data_offset(tar, "z.env") + 300]
    small = DetectOptions(in_memory=1 << 20)
    detection = detect_stream("big.tar", io.BytesIO(cut).read, options=small)
    # The seven lines of z.env before the cut, each with the key.
    assert [(s.reveal(), o.path, o.line) for s, o in detection.hits] == [
        (later, "big.tar!/z.env", line) for line in range(1, 8)
    ]
    assert detection.notes == ()
    assert [w.message for w in detection.warnings] == [
        "truncated tar archive; scanned the members before the cut and the part of z.env present"
    ]
