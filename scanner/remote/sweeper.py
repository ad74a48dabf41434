"""Sweeping a remote repository: bring its mirror up to date, then sweep the mirror.

A :class:`MirrorSweeper` is what :func:`scanner.fleet.sweep_many` calls for each target
name: a repository it was given is mirrored (:mod:`scanner.remote.mirror`) and swept as
the bare repository it is, then renamed so the report names it by its full name and
never by its place in the cache; any other name is a path, swept as before. It crosses
into worker processes through the pool's pipe, tokens included (never a file or argv).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from plugins.errors import ErrorKind
from scanner.findings import ScanIssue
from scanner.fleet import Activity, Watcher, local_sweeper
from scanner.git.tips import read_refs, ref_state
from scanner.remote import record, refcheck
from scanner.remote.cache import mirror_path
from scanner.remote.endpoints import Token
from scanner.remote.gitauth import auth_environment, redact, secret_forms
from scanner.remote.rebuild import key_hits
from scanner.remote.repo import RemoteRepo
from scanner.remote.since import AllBut, Since, plan_since
from scanner.remote.targets import Forge
from scanner.stores.checkpoint import Finished
from scanner.sweep import Progress, SweepOptions, TargetResult, sweep_target

if TYPE_CHECKING:
    from scanner.remote.mirror import FetchProgress, MirrorError

#: The kind a swept mirror is reported as.
MIRROR = "mirror"


@dataclass(frozen=True)
class MirrorSweeper:
    repos: Mapping[str, RemoteRepo]  # by full name
    cache_dir: Path
    tokens: Mapping[Forge, Token] = field(default_factory=dict, repr=False)
    pull_refs: bool = True
    #: Where each forge's token is read ("GITHUB_TOKEN or GH_TOKEN"), for the next step.
    token_variables: Mapping[Forge, str] = field(default_factory=dict)
    #: Targets a checkpoint says were swept through already, rebuilt instead of swept.
    restore: Mapping[str, Finished] = field(default_factory=dict, repr=False)
    #: What :meth:`settle` learnt of each mirror it compared with its server: whether it
    #: was up to date. Not asked again: an up-to-date mirror is swept as it is, and one
    #: that is behind is fetched at once.
    up_to_date: Mapping[str, bool] = field(default_factory=dict)
    #: Seconds one clone or fetch may last before git is stopped (None: no limit).
    clone_timeout: float | None = None

    @property
    def preload(self) -> tuple[str, ...]:
        """What a worker process needs imported (:func:`scanner.fleet.start_workers`):
        GitPython only when there are repositories to mirror."""
        remote = ("scanner.remote.mirror",) if self.repos else ()
        return ("scanner.remote.sweeper", *remote)

    def path_of(self, target: str) -> Path:
        """Where *target* is read from: its mirror, or the path it names."""
        repo = self.repos.get(target)
        return Path(target) if repo is None else mirror_path(self.cache_dir, repo.clone_url)

    def __call__(
        self,
        target: str,
        options: SweepOptions,
        *,
        cache: frozenset[str],
        remember: bool,
        progress: Progress | None,
        watch: Watcher | None = None,
    ) -> TargetResult:
        entry = self.restore.get(target)
        if entry is not None:
            again = self._rebuilt(entry, options)
            if again is not None:
                return again
        repo = self.repos.get(target)
        if repo is None:
            return local_sweeper(target, options, cache=cache, remember=remember, progress=progress)
        token = self._token(repo)
        secrets = secret_forms(token)
        path = mirror_path(self.cache_dir, repo.clone_url)
        failed = self._update(target, repo, path, token, watch)
        if failed is not None:
            return TargetResult(target, MIRROR, errors=(failed,))
        digest = record.options_digest(options, self.pull_refs)
        last = record.read(path, digest)
        # What the sweep covers is told before it starts: a fetch by another job sharing
        # the cache while it runs leaves the record older than the sweep, never newer.
        state, refs = ref_state(path), read_refs(path) or {}
        since = Since(cache)
        if last is not None and last.entry.target == target:
            again = self._rebuilt(last.entry, options, state)
            if again is not None:
                return again  # nothing new since the last sweep: what it found stands
            since = plan_since(path, last, options, cache, refs)
        swept = sweep_target(
            path, options, cache=since.skip, remember=remember, progress=progress, only=since.blobs
        )
        if since.known:
            cached = swept.stats.cached + since.known
            swept = dataclasses.replace(
                swept, stats=dataclasses.replace(swept.stats, cached=cached)
            )
        result = renamed(swept, target, path, secrets)
        if result.errors:
            record.forget(path)
        else:
            record.write(path, digest, Finished.of(result, state), refs.values())
        return result

    def _update(
        self, target: str, repo: RemoteRepo, path: Path, token: Token | None, watch: Watcher | None
    ) -> ScanIssue | None:
        """Clone or fetch the mirror at *path* unless it is up to date; why it failed."""
        current = self.up_to_date.get(target)
        if current is None:
            current = self._up_to_date(path, repo, token)
        if current:
            return None
        # GitPython only when a mirror is cloned or fetched: a local sweep (the pre-push
        # hook) never pays for its import.
        from scanner.remote.mirror import MirrorError, update_mirror

        action = "fetching" if (path / "HEAD").is_file() else "cloning"
        if watch is not None:
            watch(Activity(target, action))
        try:
            update_mirror(
                path,
                repo.clone_url,
                forge=repo.forge,
                env=auth_environment(os.environ, repo.clone_url, token, repo.forge),
                secrets=secret_forms(token),
                pull_refs=self.pull_refs,
                default_branch=repo.default_branch,
                timeout=self.clone_timeout,
                progress=None if watch is None else _teller(watch, target, action),
            )
        except MirrorError as exc:
            return self._note(target, repo, exc)
        finally:
            if watch is not None:
                watch(Activity(target, ""))
        return None

    def settle(self, targets: Sequence[str], options: SweepOptions, *, threads: int = 8) -> Settled:
        """What can be known of *targets* without a worker process, asked *threads* at a
        time (one HTTP request each, no git process): a checkpoint's targets that held no
        key, and mirrors that did not move since a sweep that found none."""
        digest = record.options_digest(options, self.pull_refs)

        def one(name: str) -> tuple[TargetResult | None, bool | None]:
            entry = self.restore.get(name)
            clean = entry is not None and not entry.occurrences
            if entry is not None and clean and ref_state(self.path_of(name)) == entry.state:
                return entry.restored(), None
            repo = self.repos.get(name)
            if repo is None or entry is not None:
                return None, None
            path = mirror_path(self.cache_dir, repo.clone_url)
            if not self._up_to_date(path, repo, self._token(repo)):
                return None, False
            last = record.read(path, digest)
            if (
                last is not None
                and last.entry.target == name
                and not last.entry.occurrences
                and ref_state(path) == last.entry.state
            ):
                return last.entry.restored(), True
            return None, True

        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max(1, threads)) as pool:
            answers = list(pool.map(one, targets))
        done = tuple(result for result, _ in answers if result is not None)
        left = [name for name, (result, _) in zip(targets, answers, strict=True) if result is None]
        known = {
            name: current
            for name, (result, current) in zip(targets, answers, strict=True)
            if result is None and current is not None
        }
        return Settled(done, left, dataclasses.replace(self, up_to_date=known))

    def _up_to_date(self, path: Path, repo: RemoteRepo, token: Token | None) -> bool:
        """Whether the mirror at *path* already holds every ref the server advertises: one
        HTTP request, no git process (most of a nightly fleet did not move)."""
        if not (path / "HEAD").is_file():
            return False
        header = token.basic_auth(repo.forge) if token is not None and repo.forge else None
        remote = refcheck.advertised(repo.clone_url, header)
        if remote is None:
            return False
        from scanner.remote.mirror import fetched_patterns

        local = refcheck.local_refs(path)
        patterns = fetched_patterns(repo.forge, self.pull_refs)
        return local is not None and refcheck.wanted(remote, patterns) == local

    def _note(self, target: str, repo: RemoteRepo, exc: MirrorError) -> ScanIssue:
        """The clone's failure, with what to do about the token when it is the cause."""
        token = self._token(repo)
        if exc.problem == "unauthorized" and token is not None:
            facts = (("variable", token.variable),)
            return ScanIssue(target, exc.detail, ErrorKind.FORGE_LOGIN_REFUSED, facts)
        variables = self.token_variables.get(repo.forge) if repo.forge is not None else None
        if variables is not None and exc.problem in ("unauthorized", "forbidden"):
            kind = (
                ErrorKind.FORGE_LOGIN_MISSING
                if exc.problem == "unauthorized"
                else ErrorKind.FORGE_ACCESS_DENIED
            )
            return ScanIssue(target, exc.detail, kind, (("variables", variables),))
        return ScanIssue(target, exc.detail)

    def _token(self, repo: RemoteRepo) -> Token | None:
        return None if repo.forge is None else self.tokens.get(repo.forge)

    def _rebuilt(
        self, entry: Finished, options: SweepOptions, state: str | None = None
    ) -> TargetResult | None:
        """*entry*'s result again without sweeping it: as recorded when it held no key, from
        the blobs that held keys when it did; None when it changed since (sweep it).
        *state*: the mirror's ref state, when the caller has just read it."""
        path = self.path_of(entry.target)
        if (state or ref_state(path)) != entry.state:
            return None
        if not entry.occurrences:
            return entry.restored()
        if not entry.key_blobs:
            return None  # keys in plain files: reading them again is the sweep
        hits = key_hits(path, entry.places, options.detect)
        if hits is not None and len(hits) == entry.occurrences:
            return TargetResult(entry.target, entry.kind, hits, (), entry.warnings, entry.stats)
        # Places not recorded, or not found again as recorded: read the blobs that held
        # keys through a sweep (their attribution redone), all the others skipped.
        rebuilt = sweep_target(path, options, cache=AllBut(frozenset(entry.key_blobs)))
        repo = self.repos.get(entry.target)
        if repo is not None:
            rebuilt = renamed(rebuilt, entry.target, path, secret_forms(self._token(repo)))
        if rebuilt.errors or len(rebuilt.hits) != entry.occurrences:
            return None
        return dataclasses.replace(rebuilt, kind=entry.kind, stats=entry.stats)


@dataclass(frozen=True)
class Settled:
    """:meth:`MirrorSweeper.settle`'s answer: results known already, the targets left to
    sweep, and the sweeper to sweep them with (told which mirrors are up to date)."""

    done: tuple[TargetResult, ...]
    left: list[str]
    sweeper: MirrorSweeper


def _teller(watch: Watcher, target: str, action: str) -> FetchProgress:
    def tell(phase: str, done: int, total: int | None) -> None:
        watch(Activity(target, action, phase, done, total))

    return tell


def renamed(result: TargetResult, name: str, path: Path, secrets: tuple[str, ...]) -> TargetResult:
    """*result* of sweeping the mirror at *path*, speaking of the repository *name* instead."""
    where = str(path)

    def text(value: str) -> str:
        return redact(value.replace(where, name), secrets)

    def issue(found: ScanIssue) -> ScanIssue:
        return ScanIssue(text(found.path), text(found.message))

    hits = tuple(
        (
            secret,
            dataclasses.replace(
                occurrence,
                provenance=dataclasses.replace(occurrence.provenance, repository=name),
            )
            if occurrence.provenance is not None
            else occurrence,
        )
        for secret, occurrence in result.hits
    )
    return dataclasses.replace(
        result,
        target=name,
        kind=MIRROR,
        hits=hits,
        errors=tuple(map(issue, result.errors)),
        warnings=tuple(map(issue, result.warnings)),
    )
