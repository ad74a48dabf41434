"""Which key each version of each configured target holds, by fingerprint alone.

Every version of a target's field still in Vault is read once, fingerprinted on the spot
and dropped: the value exists only in memory, only while its fingerprint is computed. The
reads run concurrently, a bounded number at a time. A target that cannot be read is a
note, never a failure of the others: the notes say what, as facts (which target, which
versions, what Vault answered), for the command line to word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum

from plugins.pattern import fingerprint
from rotator.config import Target
from rotator.errors import PreflightError, RotationError, VaultAccessError, VaultUnavailable
from rotator.vault import SecretMeta, VaultStore

#: Reads in flight at once: enough to hide Vault's latency, few enough not to crowd it.
DEFAULT_CONCURRENCY = 8


class Problem(Enum):
    UNREACHABLE = "unreachable"  # no answer, or a server error
    DENIED = "denied"  # the token may not read the metadata or these versions
    NOT_KV2 = "not_kv2"  # not on a KV v2 mount
    ABSENT = "absent"  # no secret at the path
    FAILED = "failed"  # another refusal
    FIELD_MISSING = "field_missing"  # these versions have no such field (or not a string)
    DESTROYED = "destroyed"  # these versions' data was destroyed: nothing to compare
    DELETED = "deleted"  # these versions are soft-deleted: nothing to compare until undeleted

    @property
    def unchecked(self) -> bool:
        """Something Vault holds could not be compared (versions with no data, or no field,
        are not a failure to check: there is nothing in them to compare)."""
        return self in (Problem.UNREACHABLE, Problem.DENIED, Problem.NOT_KV2, Problem.FAILED)


@dataclass(frozen=True)
class Note:
    target: Target
    problem: Problem
    versions: tuple[int, ...] = ()  # empty: the whole target


@dataclass(frozen=True)
class Held:
    """A key in one version of one target."""

    target: Target
    version: int
    current: bool


@dataclass(frozen=True)
class TargetRead:
    """What one target holds: a fingerprint per version that has the field."""

    target: Target
    meta: SecretMeta | None = None
    fingerprints: Mapping[int, str] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    @property
    def current_version(self) -> int | None:
        return self.meta.current_version if self.meta is not None else None

    @property
    def custom(self) -> Mapping[str, str]:
        """The secret's custom_metadata (where the rotation journal lives)."""
        return self.meta.custom if self.meta is not None else {}


@dataclass(frozen=True)
class Holdings:
    reads: tuple[TargetRead, ...] = ()

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(n for r in self.reads for n in r.notes)

    def of(self, fp: str) -> tuple[Held, ...]:
        """Every version of every target holding the key *fp*, current ones first."""
        held = [
            Held(r.target, version, version == r.current_version)
            for r in self.reads
            for version, got in r.fingerprints.items()
            if got == fp
        ]
        return tuple(sorted(held, key=lambda h: (not h.current, h.target.label, -h.version)))

    def fingerprint_at(self, vault_path: str, version: int) -> str | None:
        for r in self.reads:
            if r.target.vault_path == vault_path:
                return r.fingerprints.get(version)
        return None


def _failure(exc: RotationError) -> Problem:
    if isinstance(exc, VaultUnavailable):
        return Problem.UNREACHABLE
    if isinstance(exc, VaultAccessError):
        return Problem.DENIED
    if isinstance(exc, PreflightError):
        return Problem.NOT_KV2
    return Problem.FAILED


def _runs(versions: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(versions))


def _wanted(meta: SecretMeta, only_current: bool) -> tuple[int, ...]:
    if not only_current:
        return meta.live_versions
    return tuple(v for v in meta.live_versions if v == meta.current_version)


def read_holdings(
    targets: Sequence[Target],
    store_for: Callable[[Target], VaultStore],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    only_current: bool = False,
) -> Holdings:
    """Every target's metadata, then every live version of its field (*only_current*:
    the current version only), at most *concurrency* requests at a time."""
    stores = [store_for(t) for t in targets]

    def metadata(index: int) -> SecretMeta | Problem:
        try:
            meta = stores[index].metadata()
        except RotationError as exc:
            return _failure(exc)
        return Problem.ABSENT if meta is None else meta

    def version(job: tuple[int, int]) -> str | Problem | None:
        index, number = job
        target = targets[index]
        try:
            data = stores[index].read(number)
        except RotationError as exc:
            return _failure(exc)
        value = (data or {}).get(target.field)
        return fingerprint(value) if isinstance(value, str) else None

    workers = max(1, concurrency)
    with ThreadPoolExecutor(workers, thread_name_prefix="keyguard-vault") as pool:
        metas = list(pool.map(metadata, range(len(targets))))
        jobs = [
            (i, v)
            for i, m in enumerate(metas)
            if isinstance(m, SecretMeta)
            for v in _wanted(m, only_current)
        ]
        answers = dict(zip(jobs, pool.map(version, jobs), strict=True))
    reads = []
    for index, target in enumerate(targets):
        meta = metas[index]
        if not isinstance(meta, SecretMeta):
            reads.append(TargetRead(target, notes=(Note(target, meta),)))
            continue
        fps: dict[int, str] = {}
        failed: dict[Problem, list[int]] = {}
        for number in _wanted(meta, only_current):
            got = answers[(index, number)]
            if isinstance(got, str):
                fps[number] = got
            else:
                failed.setdefault(got or Problem.FIELD_MISSING, []).append(number)
        for number, how in meta.gone.items():
            if not only_current or number == meta.current_version:
                failed.setdefault(Problem(how), []).append(number)
        notes = tuple(Note(target, p, _runs(vs)) for p, vs in failed.items())
        reads.append(TargetRead(target, meta, fps, notes))
    return Holdings(tuple(reads))
