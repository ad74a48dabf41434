"""Bare mirrors in the clone cache, cloned once and fetched incrementally (GitPython).

A mirror fetches branches, tags and notes, and by default the forges' pull-request heads
(``refs/pull/*/head``, ``refs/merge-requests/*/head``): a key pushed only to a pull
request from a fork lives there and in no branch. Their ``refs/pull/*/merge`` test merges
are left out (their content is a branch's plus the head's). A first clone goes to a
temporary directory renamed into place when complete, so a killed sweep never leaves a
half mirror that the next one would take for whole. The remote's push URL is set to
something git cannot push to: a sweep never writes to a remote.

GitPython drives git here (init, config, fetch and its stderr); sweeping the mirror then
goes through :mod:`scanner.sweep` like any bare repository. What a fetch moved is told by
the refs before and after it, read in-process: GitPython's own report resolves every
updated ref through a ``cat-file`` of its own, two more processes per repository.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import git
from git.cmd import handle_process_output

from plugins.errors import ErrorKind, KeyguardError
from scanner.git.tips import read_refs
from scanner.remote.gitauth import redact
from scanner.remote.targets import PULL_REFS, Forge

try:
    import fcntl
except ImportError:  # not on Windows
    fcntl = None  # type: ignore[assignment]

_BASE_REFSPECS = (
    "+refs/heads/*:refs/heads/*",
    "+refs/tags/*:refs/tags/*",
    "+refs/notes/*:refs/notes/*",
)
NEVER_PUSH = "keyguard-never-pushes:"
#: How far git is in a clone or fetch: (phase, done, total), such as
#: ("receiving objects", 1200, 9000); total is None when git does not know it.
FetchProgress = Callable[[str, int, "int | None"], None]
_PACK_REFS_FROM = 64  # refs a first clone packs into one file (fewer: not worth a process)
_PROGRESS_EVERY = 0.2  # seconds between two reports of one phase (its end always told)
_PULL_PREFIXES = ("refs/pull/", "refs/merge-requests/")
_MIRROR_SETTINGS = (
    # The mirror is ours: no background gc racing the sweep that reads it.
    ("gc", "autoDetach", "false"),
    # Protocol v0: a fetch learns every ref from the advertisement it asks for anyway,
    # where v2 asks for the server's capabilities first and then its refs, one more
    # request answered by one more process on the server (a mirror fetches every
    # ref, so v2's ref filtering saves nothing here).
    ("protocol", "version", "0"),
)


class MirrorError(KeyguardError):
    """A mirror could not be cloned or fetched; ``problem`` says which way it failed:
    not-found, unauthorized, forbidden, disk-full, timeout or failed."""

    kind = ErrorKind.UNREADABLE

    def __init__(self, message: str, /, *, problem: str = "failed") -> None:
        super().__init__(message)
        self.problem = problem

    @property
    def detail(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Fetched:
    """What one clone or fetch did."""

    path: Path
    cloned: bool  # a first clone (else an incremental fetch)
    updated: int  # refs created or moved (pruned ones are not reported)


def refspecs(forge: Forge | None, pull_refs: bool) -> tuple[str, ...]:
    """What a mirror fetches: a known forge's pull-request heads, or both kinds on a server
    of unknown kind (a self-hosted GitLab or a GitHub Enterprise named by URL)."""
    if not pull_refs:
        return _BASE_REFSPECS
    kinds = (forge,) if forge is not None else tuple(Forge)
    return (*_BASE_REFSPECS, *(f"+{PULL_REFS[k]}:{PULL_REFS[k]}" for k in kinds))


def fetched_patterns(forge: Forge | None, pull_refs: bool) -> tuple[str, ...]:
    """The remote refs a mirror fetches, as globs (``refs/heads/*``...)."""
    return tuple(spec.lstrip("+").partition(":")[0] for spec in refspecs(forge, pull_refs))


def update_mirror(
    path: Path,
    url: str,
    *,
    forge: Forge | None,
    env: Mapping[str, str],
    secrets: tuple[str, ...],
    pull_refs: bool = True,
    default_branch: str | None = None,
    timeout: float | None = None,
    progress: FetchProgress | None = None,
) -> Fetched:
    """Clone *url* into *path* as a bare mirror, or fetch what is new into the mirror there.

    *env* carries the token (:func:`scanner.remote.gitauth.auth_environment`); *secrets*
    are cut from every message. A first clone points HEAD at *default_branch* (asking the
    server when it is None), so a sweep can tell what is still at HEAD. *progress* hears
    how far git is, as git reports it. Raises :class:`MirrorError`.
    """
    specs = refspecs(forge, pull_refs)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path):
            if (path / "HEAD").is_file():
                repo = git.Repo(path)
                _configure(repo, url, specs)
                updated = _fetch(repo, env, secrets, timeout, progress)
                cloned = False
            else:
                updated = _clone(path, url, specs, env, secrets, timeout, default_branch, progress)
                cloned = True
            if not pull_refs:
                _drop_pull_refs(git.Repo(path))
    except OSError as exc:
        raise _os_error(exc, path) from exc
    return Fetched(path, cloned, updated)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One sweep at a time per mirror (two jobs on one runner may share a cache)."""
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield


def _configure(repo: git.Repo, url: str, specs: tuple[str, ...]) -> None:
    """The remote, its refspecs and the mirror's own settings, written only when they
    differ (a fetch of a mirror that did not change its remote writes nothing)."""
    section = 'remote "origin"'
    wanted = {"url": [url], "pushurl": [NEVER_PUSH], "fetch": list(specs)}
    with repo.config_reader() as config:
        current = (
            {
                name: [
                    str(v) for v in config.get_values(section, name, default=None) if v is not None
                ]
                for name in wanted
            }
            if config.has_section(section)
            else {}
        )
        settled = current == wanted and all(
            # GitPython reads "false" as False and "0" as 0: compared as git would.
            str(config.get_value(part, name, default="")).lower() == value
            for part, name, value in _MIRROR_SETTINGS
        )
    if settled:
        return
    with repo.config_writer() as config:
        if config.has_section(section):
            config.remove_section(section)
        config.add_section(section)
        config.set_value(section, "url", url)
        config.set_value(section, "pushurl", NEVER_PUSH)
        for spec in specs:
            config.add_value(section, "fetch", spec)
        for part, name, value in _MIRROR_SETTINGS:
            config.set_value(part, name, value)


def _clone(
    path: Path,
    url: str,
    specs: tuple[str, ...],
    env: Mapping[str, str],
    secrets: tuple[str, ...],
    timeout: float | None,
    default_branch: str | None,
    progress: FetchProgress | None,
) -> int:
    partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        repo = git.Repo.init(partial, bare=True, mkdir=True)
        _configure(repo, url, specs)
        updated = _fetch(repo, env, secrets, timeout, progress)
        if updated > _PACK_REFS_FROM:
            # A first fetch leaves a file per ref, as a clone would not: thousands of pull
            # requests read one file each, by git and by every warm run's look at the refs.
            with contextlib.suppress(git.GitCommandError):  # loose refs only cost time
                repo.git.pack_refs("--all")
        _point_head(repo, default_branch or _remote_head(repo, env, timeout))
        repo.close()
        os.replace(partial, path)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return updated


_PHASES: Mapping[int, str] = {
    git.RemoteProgress.COUNTING: "counting objects",
    git.RemoteProgress.COMPRESSING: "compressing objects",
    git.RemoteProgress.RECEIVING: "receiving objects",
    git.RemoteProgress.RESOLVING: "resolving deltas",
}


class _Relay(git.RemoteProgress):
    """GitPython's reading of git's progress lines, passed on a few times a second."""

    def __init__(self, tell: FetchProgress) -> None:
        super().__init__()
        self._tell = tell
        self._last = 0.0

    def update(
        self,
        op_code: int,
        cur_count: str | float,
        max_count: str | float | None = None,
        message: str = "",
    ) -> None:
        phase = _PHASES.get(op_code & self.OP_MASK)
        if phase is None:
            return
        now = time.monotonic()
        if not op_code & self.END and now - self._last < _PROGRESS_EVERY:
            return
        self._last = now
        total = int(float(max_count)) if max_count not in (None, "") else None
        self._tell(phase, int(float(cur_count or 0)), total)


def _fetch(
    repo: git.Repo,
    env: Mapping[str, str],
    secrets: tuple[str, ...],
    timeout: float | None,
    progress: FetchProgress | None = None,
) -> int:
    refs = Path(repo.git_dir)
    before = read_refs(refs) or {}
    # Either way GitPython sorts git's stderr into error lines and the rest.
    said = git.RemoteProgress() if progress is None else _Relay(progress)
    # Progress only when someone listens: git writes it on every object count change.
    shown = () if progress is None else ("--progress",)
    try:
        with repo.git.custom_environment(**env):
            proc = repo.git.fetch(
                "--prune",
                *shown,
                "origin",
                as_process=True,
                with_stdout=False,
                universal_newlines=True,
            )
            handle_process_output(
                proc,
                None,
                said.new_message_handler(),
                finalizer=None,
                decode_streams=False,
                kill_after_timeout=timeout,
            )
            proc.wait(stderr="\n".join(said.error_lines))
    except git.GitCommandError as exc:
        raise _git_error(exc, secrets, timeout) from exc
    after = read_refs(refs) or {}
    return sum(1 for name, oid in after.items() if before.get(name) != oid)


def _remote_head(repo: git.Repo, env: Mapping[str, str], timeout: float | None) -> str | None:
    """The branch the remote's HEAD names (one ``ls-remote``, for URLs no API described)."""
    try:
        with repo.git.custom_environment(**env):
            said = str(repo.git.ls_remote("--symref", "origin", "HEAD", kill_after_timeout=timeout))
    except git.GitCommandError:
        return None
    for line in said.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            return line[len("ref: refs/heads/") : -len("\tHEAD")]
    return None


def _point_head(repo: git.Repo, branch: str | None) -> None:
    """HEAD names the default branch, as ``git clone`` leaves it (in-process)."""
    if branch:
        repo.head.set_reference(git.Head(repo, f"refs/heads/{branch}"))


def _drop_pull_refs(repo: git.Repo) -> None:
    """A mirror fetched with pull-request heads before: forget them for this sweep."""
    for ref in [r for r in repo.references if r.path.startswith(_PULL_PREFIXES)]:
        git.SymbolicReference.delete(repo, ref.path)  # in-process: no git per ref


def _stderr(exc: git.GitCommandError) -> str:
    raw = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
    lines = [ln.strip() for ln in raw.replace("stderr:", "").strip(" '\n").splitlines()]
    lines = [ln for ln in lines if ln]
    fatal = [ln for ln in lines if ln.startswith(("fatal:", "error:"))]
    return (fatal or lines or ["git failed without a message"])[-1]


def _git_error(
    exc: git.GitCommandError, secrets: tuple[str, ...], timeout: float | None = None
) -> MirrorError:
    said = redact(_stderr(exc), secrets).strip("'\"")
    lowered = said.lower()
    everything = str(exc.stderr or "").lower()
    if timeout is not None and "kill_after_timeout" in everything:  # GitPython stopped git
        return MirrorError(
            f"the clone or fetch took longer than {timeout:g} s and was stopped",
            problem="timeout",
        )
    # git says why a write failed on an earlier line than the one it ends with.
    if "no space left" in everything or "disk quota" in everything:
        return MirrorError(f"no space left in the clone cache ({said})", problem="disk-full")
    if "not found" in lowered or "error: 404" in lowered:
        return MirrorError(f"the git server has no such repository ({said})", problem="not-found")
    if "terminal prompts disabled" in lowered:
        return MirrorError(
            f"the git server asks for credentials and none were given ({said})",
            problem="unauthorized",
        )
    if "authentication failed" in lowered:
        return MirrorError(f"the git server refused the token ({said})", problem="unauthorized")
    if "error: 403" in lowered:
        return MirrorError(f"the git server forbids reading it ({said})", problem="forbidden")
    return MirrorError(said)


def _os_error(exc: OSError, path: Path) -> MirrorError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return MirrorError(
            f"no space left in the clone cache at {path.parent}", problem="disk-full"
        )
    return MirrorError(f"cannot write the clone cache at {path}: {exc.strerror}", problem="failed")
