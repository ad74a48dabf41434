"""Archives built in memory for tests, whole or damaged as real files are damaged."""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile
import zlib


def zip_of(members: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buf.getvalue()


def tar_of(members: dict[str, bytes] | list[tuple[str, bytes]]) -> bytes:
    """A tar of *members*; a list may name one member twice, as ``tar -r`` appends."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items() if isinstance(members, dict) else members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def tgz_of(members: dict[str, bytes]) -> bytes:
    return gzip.compress(tar_of(members), mtime=0)


def data_offset(tar: bytes, name: str) -> int:
    """Where member *name*'s bytes start in the tar *tar*."""
    with tarfile.open(fileobj=io.BytesIO(tar), mode="r") as tf:
        return tf.getmember(name).offset_data


def cut_gzip(data: bytes, keep: int) -> bytes:
    """A gzip stream of *data* that stops after its first *keep* bytes, as a download cut
    short leaves it: those bytes decode, the end of the stream never comes."""
    compressor = zlib.compressobj(wbits=31)
    return compressor.compress(data[:keep]) + compressor.flush(zlib.Z_SYNC_FLUSH)


def cut_tgz(members: dict[str, bytes], *, into: int = 500) -> bytes:
    """A .tgz whose gzip stream ends *into* bytes inside its last member, as npm's tar
    test fixture ``cb-never-called-1.0.1.tgz`` does (committed under node_modules)."""
    tar = tar_of(members)
    return cut_gzip(tar, data_offset(tar, list(members)[-1]) + into)


def rotted_crc(gz: bytes) -> bytes:
    """*gz* with its last member's CRC-32 changed, as a flipped bit on disk leaves it."""
    return gz[:-8] + struct.pack("<I", zlib.crc32(gz[-8:-4]) ^ 0xFFFFFFFF) + gz[-4:]


def bad_header(tar: bytes, name: str) -> bytes:
    """*tar* with member *name*'s header checksum spoiled (tarfile stops there)."""
    at = data_offset(tar, name) - 512 + 148  # the chksum field of its header block
    return tar[:at] + b"0000000\0" + tar[at + 8 :]


def encrypted_flag(zipped: bytes) -> bytes:
    """*zipped* with each member marked encrypted (general purpose flag bit 0), in its
    local header and in the central directory, as an encrypting zip tool writes them."""
    out = bytearray(zipped)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = out.find(signature)
        while at != -1:
            out[at + flags_at] |= 0x01
            at = out.find(signature, at + 4)
    return bytes(out)
