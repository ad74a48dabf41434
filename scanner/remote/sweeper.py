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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scanner.findings import ScanIssue
from scanner.fleet import local_sweeper
from scanner.remote.cache import mirror_path
from scanner.remote.endpoints import Token
from scanner.remote.gitauth import auth_environment, redact, secret_forms
from scanner.remote.mirror import MirrorError, update_mirror
from scanner.remote.repo import RemoteRepo
from scanner.remote.targets import Forge
from scanner.sweep import Progress, SweepOptions, TargetResult, sweep_target

#: The kind a swept mirror is reported as.
MIRROR = "mirror"


@dataclass(frozen=True)
class MirrorSweeper:
    repos: Mapping[str, RemoteRepo]  # by full name
    cache_dir: Path
    tokens: Mapping[Forge, Token] = field(default_factory=dict, repr=False)
    pull_refs: bool = True

    def __call__(
        self,
        target: str,
        options: SweepOptions,
        *,
        cache: frozenset[str],
        remember: bool,
        progress: Progress | None,
    ) -> TargetResult:
        repo = self.repos.get(target)
        if repo is None:
            return local_sweeper(target, options, cache=cache, remember=remember, progress=progress)
        token = self.tokens.get(repo.forge) if repo.forge is not None else None
        secrets = secret_forms(token)
        path = mirror_path(self.cache_dir, repo.clone_url)
        try:
            update_mirror(
                path,
                repo.clone_url,
                forge=repo.forge,
                env=auth_environment(os.environ, repo.clone_url, token, repo.forge),
                secrets=secrets,
                pull_refs=self.pull_refs,
            )
        except MirrorError as exc:
            return TargetResult(target, MIRROR, errors=(ScanIssue(target, exc.detail),))
        swept = sweep_target(path, options, cache=cache, remember=remember, progress=progress)
        return renamed(swept, target, path, secrets)


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
