"""Whether a mirror is already up to date, asked with one HTTP request and no git process.

A smart-HTTP server advertises every ref on ``GET …/info/refs?service=git-upload-pack``
(protocol v0's pkt-lines: ``<oid> <ref>``, the first carrying capabilities after a NUL,
``^{}`` lines for peeled tags). When the refs a mirror fetches are exactly the mirror's
own, ``git fetch`` would only spend a process on each side to learn that; for a fleet
where most repositories did not move since the last sweep that is most of the run. Any
doubt (an error, another protocol, an ssh URL) answers "ask git".
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from pathlib import Path

import git
import httpx

_TIMEOUT = 30.0
_MAX_ADVERTISEMENT = 64 << 20


def advertised(url: str, authorization: str | None) -> dict[str, str] | None:
    """The refs *url* advertises (name -> object id), or None when it cannot be told."""
    if not url.lower().startswith(("https://", "http://")):
        return None
    headers = {"User-Agent": "git/keyguard", "Accept": "*/*"}
    if authorization is not None:
        headers["Authorization"] = authorization
    try:
        with httpx.Client(timeout=_TIMEOUT, follow_redirects=False) as client:
            response = client.get(
                url.rstrip("/") + "/info/refs",
                params={"service": "git-upload-pack"},
                headers=headers,
            )
    except httpx.HTTPError:
        return None
    kind = response.headers.get("content-type", "")
    if response.status_code != 200 or kind != "application/x-git-upload-pack-advertisement":
        return None
    if len(response.content) > _MAX_ADVERTISEMENT:
        return None
    return _parse(response.content)


def _parse(body: bytes) -> dict[str, str] | None:
    refs: dict[str, str] = {}
    at = 0
    while at + 4 <= len(body):
        try:
            size = int(body[at : at + 4], 16)
        except ValueError:
            return None
        if size == 0:  # a flush packet: after the service line, and at the end
            at += 4
            continue
        if size < 4 or at + size > len(body):
            return None
        line = body[at + 4 : at + size].rstrip(b"\n").split(b"\0", 1)[0]
        at += size
        if line.startswith(b"#"):
            continue
        oid, _, name = line.decode("utf-8", "surrogateescape").partition(" ")
        if name and not name.endswith("^{}") and name != "capabilities^{}":
            refs[name] = oid
    return refs


def wanted(refs: Mapping[str, str], patterns: Iterable[str]) -> dict[str, str]:
    """The refs a mirror with these fetch *patterns* (``refs/heads/*``...) would hold."""
    globs = tuple(patterns)
    return {
        name: oid for name, oid in refs.items() if any(fnmatch.fnmatchcase(name, g) for g in globs)
    }


def local_refs(path: Path) -> dict[str, str] | None:
    """The mirror's refs (in-process, through GitPython), or None when it has none yet."""
    try:
        repo = git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, OSError):
        return None
    try:
        return {ref.path: ref.object.hexsha for ref in repo.references}
    except (ValueError, OSError, git.GitError):
        return None
    finally:
        repo.close()
