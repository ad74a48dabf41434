"""Where the bare mirrors live: ``DIR/HOST/PATH.git`` under the user's cache directory.

The default follows each platform's convention: ``$XDG_CACHE_HOME`` or ``~/.cache`` on
Linux and the BSDs, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows; then
``keyguard/mirrors``. The environment is passed in.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def default_cache_dir(environ: Mapping[str, str], platform: str = sys.platform) -> Path:
    home = Path(environ.get("HOME") or Path.home())
    if platform == "darwin":
        base = home / "Library" / "Caches"
    elif platform.startswith("win"):
        base = Path(environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    else:
        xdg = environ.get("XDG_CACHE_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".cache"
    return base / "keyguard" / "mirrors"


def _segment(text: str) -> str:
    safe = _UNSAFE.sub("_", text)
    return "_" + safe if safe.startswith(".") or not safe else safe


def mirror_path(cache_dir: Path, clone_url: str) -> Path:
    """The mirror of *clone_url* in *cache_dir*: readable, and never outside it."""
    scp = re.fullmatch(r"[^@/:\s]+@([^/:\s]+):(.+)", clone_url)
    if scp:
        host, path = scp.group(1), scp.group(2)
    else:
        parts = urlsplit(clone_url)
        host = parts.hostname or "local"
        if parts.port is not None:
            host = f"{host}_{parts.port}"
        path = parts.path
    segments = [s for s in path.strip("/").removesuffix(".git").split("/") if s]
    if not segments:
        segments = [hashlib.sha256(clone_url.encode()).hexdigest()[:16]]
    *parents, name = (_segment(s) for s in segments)
    return cache_dir.joinpath(_segment(host.lower()), *parents, name + ".git")
