"""A zip whose directory is cut off or damaged, read from its local headers."""

from __future__ import annotations

import io
import os
import zipfile

from scanner.detect.engine import Detection, detect_bytes
from tests.support.archives import zip_of
from tests.support.keys import make_key

KEY, OTHER = make_key("localzip"), make_key("localzip-other")


def _headless(data: bytes) -> bytes:
    """*data* without its central directory, as a download cut short at it leaves it."""
    return data[: data.rindex(b"PK\x01\x02")]


def _streamed(members: dict[str, bytes]) -> bytes:
    """A zip written to a pipe: sizes follow each member's data (flag bit 3)."""

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.written = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            data = bytes(b)  # type: ignore[call-overload]
            self.written += data
            return len(data)

    pipe = Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            with zf.open(name, "w") as member:
                member.write(data)
    assert all(i.flag_bits & 0x8 for i in zipfile.ZipFile(io.BytesIO(pipe.written)).infolist())
    return bytes(pipe.written)


def _found(detection: Detection) -> set[tuple[str, str]]:
    return {(s.reveal(), o.path) for s, o in detection.hits}


def test_a_zip_cut_inside_its_last_member_gives_every_member_and_one_warning() -> None:
    data = zip_of(
        {
            "assets/config.json": f'{{"key": "{KEY}"}}\n'.encode(),
            "assets/app.js": f'var k = "{OTHER}";\n'.encode() + os.urandom(4000).hex().encode(),
        }
    )
    cut = data[: data.index(b"PK\x03\x04", 10) + 200]  # 200 bytes into the second member
    detection = detect_bytes("app.apk", cut)
    assert _found(detection) == {
        (KEY, "app.apk!/assets/config.json"),
        (OTHER, "app.apk!/assets/app.js"),
    }
    assert detection.notes == ()
    assert [w.message for w in detection.warnings] == [
        "unreadable zip archive (BadZipFile); its 2 members read from their local headers"
    ]


def test_members_whose_sizes_follow_their_data_are_found_too() -> None:
    data = _streamed({"a.js": f'"{KEY}"\n'.encode() * 20, "b.js": f'"{OTHER}"\n'.encode()})
    detection = detect_bytes("x.zip", _headless(data))
    assert _found(detection) == {(KEY, "x.zip!/a.js"), (OTHER, "x.zip!/b.js")}
    assert detection.notes == ()
    assert len(detection.warnings) == 1


def test_bytes_between_members_are_read_as_bytes_and_make_it_an_error() -> None:
    data = _headless(zip_of({"a.js": f'"{KEY}"\n'.encode(), "b.txt": b"plain\n"}))
    second = data.index(b"PK\x03\x04", 10)
    # Something no header describes, between the members (a spliced file, say).
    spliced = data[:second] + f"\nstray {OTHER}\n".encode() + data[second:]
    detection = detect_bytes("x.zip", spliced)
    assert _found(detection) == {(KEY, "x.zip!/a.js"), (OTHER, "x.zip")}
    assert detection.warnings == ()
    assert [n.message for n in detection.notes] == [
        "unreadable zip archive (BadZipFile); 2 members read from their local headers, but "
        "bytes outside them were only scanned as bytes"
    ]


def test_a_member_stored_in_a_method_not_read_is_an_error_the_others_read() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.js", f'"{KEY}"\n', compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("b.js", f'"{OTHER}"\n' * 30, compress_type=zipfile.ZIP_BZIP2)
    detection = detect_bytes("x.zip", _headless(buf.getvalue()))
    assert _found(detection) == {(KEY, "x.zip!/a.js")}
    assert [n.message for n in detection.notes] == ["b.js: compression method 12; not scanned"]


def test_a_damaged_header_name_never_puts_a_control_character_in_a_note() -> None:
    data = bytearray(_headless(zip_of({"a.js": b"x"})))
    data[6] |= 0x01  # marked encrypted: the note names the member
    data[30] = 0x1B  # an escape character as the name's first byte
    [note] = detect_bytes("x.zip", bytes(data)).notes
    assert note.message == "?.js: encrypted zip member; not scanned"
