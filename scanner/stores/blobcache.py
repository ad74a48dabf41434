"""The ``--cache`` file: ids of blobs already scanned and found clean.

Blob ids name content, so a blob scanned clean in one repository is clean in every
other. Blobs that held a key are never cached: they are read again, so every sweep's
report is complete while a nightly sweep reads only what is new. The header names the
detector version; a cache written by another one is ignored rather than trusted.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from plugins.errors import ErrorKind, KeyguardError

#: Bump when detection changes what a clean blob is, so old caches are not trusted.
HEADER = b"keyguard-blob-cache 1\n"


class CacheError(KeyguardError):
    kind = ErrorKind.USAGE


def load(path: Path) -> frozenset[str]:
    """The cached ids (empty when the file does not exist yet or is from another version)."""
    try:
        with path.open("rb") as fh:
            if fh.readline() != HEADER:
                return frozenset()
            return frozenset(line.decode("ascii").strip() for line in fh if line.strip())
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError) as exc:
        raise CacheError(f"cannot read the cache {path}: {exc}; delete it to start over") from exc


def save(path: Path, ids: Iterable[str]) -> None:
    """Write *ids* atomically: a crash leaves the old cache, never half a new one."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".keyguard-cache-", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(HEADER)
            fh.writelines(oid.encode("ascii") + b"\n" for oid in sorted(ids))
        os.replace(tmp, path)
    except OSError as exc:
        raise CacheError(f"cannot write the cache {path}: {exc.strerror}") from exc
