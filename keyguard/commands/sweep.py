"""``keyguard sweep``: every key ever committed, in one repository or hundreds."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

import click

from keyguard.commands.limits import detect_options
from keyguard.commands.site import as_sweep_result, run_site, site_options
from keyguard.exit_codes import EXIT_CLEAN, REPORT_CODES, epilog, for_report
from keyguard.klaviyo_options import Verification, verification_options
from keyguard.output import write_rich
from keyguard.progress import LiveProgress
from keyguard.render import sweep_console
from keyguard.report_options import (
    format_option,
    output_option,
    show_secrets_option,
    write_report,
)
from plugins.errors import UsageError
from scanner.exclude import Excludes
from scanner.fleet import Shard, SweepResult, select_targets, sweep_many
from scanner.report.model import Report
from scanner.report.wording import count
from scanner.stores import blobcache
from scanner.sweep import SweepInterrupted, SweepOptions

_ZERO_OIDS = frozenset({"0" * 40, "0" * 64})


def _read_targets(path: Path) -> list[str]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read --targets-from {path}: {exc.strerror}") from exc
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _pre_push_options(worktree: bool) -> tuple[SweepOptions, bool]:
    """The commits being pushed, from the variables pre-commit sets for a pre-push hook.

    Returns the options and whether there is anything to sweep at all.
    """
    to_ref = os.environ.get("PRE_COMMIT_TO_REF")
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF")
    if to_ref in _ZERO_OIDS:
        return SweepOptions(worktree=False), False  # deleting a remote branch pushes nothing
    if to_ref and from_ref and from_ref not in _ZERO_OIDS:
        return SweepOptions(refs=(to_ref,), since=from_ref, worktree=False), True
    # A new branch whose history reaches a root commit: pre-commit passes no range, so
    # sweep what the pushed ref has that no remote-tracking ref already holds.
    local = to_ref or os.environ.get("PRE_COMMIT_LOCAL_BRANCH") or "HEAD"
    return SweepOptions(refs=(local,), exclude_remotes=True, worktree=worktree), True


@click.command(epilog=epilog(REPORT_CODES))
@click.argument("targets", nargs=-1)
@click.option(
    "--targets-from",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read more targets from this file, one per line ('-' for stdin).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Targets swept in parallel.  [default: the number of cores]",
)
@click.option("--shard", help="Sweep only share I of N of the targets (0 <= I < N).")
@click.option(
    "--unreachable",
    is_flag=True,
    help="Also read dangling and reflog-only objects (amended or reset commits).",
)
@click.option("--since", metavar="REV", help="Scan only what is not reachable from REV.")
@click.option(
    "--ref",
    "refs",
    metavar="REV",
    multiple=True,
    help="Sweep history reachable from REV instead of from every ref (repeatable).",
)
@click.option(
    "--pre-push",
    is_flag=True,
    help="Sweep the commits being pushed (pre-commit's PRE_COMMIT_FROM_REF/TO_REF).",
)
@click.option("--no-worktree", is_flag=True, help="Skip untracked and modified work-tree files.")
@click.option(
    "--exclude",
    "excludes",
    multiple=True,
    metavar="PATTERN",
    help="Skip paths matching PATTERN, in .gitignore syntax, relative to each repository "
    "(repeatable).",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Remember blobs scanned clean here, and skip them next time.",
)
@format_option()
@output_option
@show_secrets_option
@verification_options
@site_options
def sweep(
    targets: tuple[str, ...],
    targets_from: Path | None,
    jobs: int | None,
    shard: str | None,
    unreachable: bool,
    since: str | None,
    refs: tuple[str, ...],
    pre_push: bool,
    no_worktree: bool,
    excludes: tuple[str, ...],
    cache_path: Path | None,
    fmt: str,
    output: Path | None,
    show_secrets: bool,
    verification: Verification | None,
    **site: Any,
) -> int:
    """Sweep git history for Klaviyo private API keys: every blob of every branch, tag,
    remote-tracking ref, stash and note, each read once; plus untracked work-tree files.

    TARGETS are git work trees, bare repositories or plain directories (default: .).
    With --url, a deployed site instead: the page and what a browser loads for it
    (scripts, preloads, import maps, build manifests, source maps), same origin unless
    --allow-host, robots.txt honoured for pages. With --warc, a saved crawl.
    """
    if site["url"] is not None or site["warc"] is not None:
        if targets or targets_from:
            raise UsageError("--url and --warc take no TARGETS")
        source, kind = (site["url"], "site") if site["url"] else (str(site["warc"]), "warc")
        result: SweepResult | None = as_sweep_result(run_site(**site), source, kind)
    else:
        result = _sweep_targets(
            targets,
            targets_from,
            jobs,
            shard,
            unreachable,
            since,
            refs,
            pre_push,
            no_worktree,
            cache_path,
            site,
            Excludes.of(excludes),
        )
    if result is None:
        return EXIT_CLEAN  # a pre-push with nothing to sweep
    # After the whole fleet, so a key found in many targets is asked about once.
    if verification is not None:
        result = dataclasses.replace(result, findings=verification.apply(result.findings))
    _report(result, fmt, output, show_secrets, pushing=pre_push)
    return for_report(findings=bool(result.findings), errors=bool(result.errors))


def _sweep_targets(
    targets: tuple[str, ...],
    targets_from: Path | None,
    jobs: int | None,
    shard: str | None,
    unreachable: bool,
    since: str | None,
    refs: tuple[str, ...],
    pre_push: bool,
    no_worktree: bool,
    cache_path: Path | None,
    site: dict[str, Any],
    excludes: Excludes,
) -> SweepResult | None:
    """The repositories and directories named; None when a pre-push has nothing to sweep."""
    if pre_push:
        if since or refs or unreachable:
            raise UsageError("--pre-push sets the range itself: drop --since, --ref, --unreachable")
        options, anything = _pre_push_options(not no_worktree)
        if not anything:
            return None
    else:
        options = SweepOptions(
            unreachable=unreachable, since=since, refs=refs, worktree=not no_worktree
        )
    limits = (site["max_depth"], site["max_archive_bytes"], site["max_member_bytes"])
    detect = detect_options(*limits, site["max_ratio"])
    options = dataclasses.replace(options, detect=detect, excludes=excludes)
    names = list(targets) + (_read_targets(targets_from) if targets_from else [])
    if not names and targets_from is not None:
        # An empty list (a `find` that matched nothing) must not fall back to sweeping '.'.
        raise UsageError(f"--targets-from {targets_from} names no targets")
    share = Shard.parse(shard) if shard else None
    chosen = select_targets(names or ["."], share)
    cache = blobcache.load(cache_path) if cache_path else frozenset()
    try:
        with LiveProgress(total=len(chosen)) as live:
            result = sweep_many(
                chosen,
                options,
                jobs=jobs or os.cpu_count() or 1,
                cache=cache,
                remember=cache_path is not None,
                progress=live.scanned,
                on_target=live.target_done,
            )
    except SweepInterrupted as stopped:
        if cache_path is not None:
            # Ctrl-C: keep what was scanned clean, so the next run does not start over.
            blobcache.save(cache_path, cache | frozenset(stopped.clean_blobs))
            click.echo(
                f"keyguard: interrupted; {count(len(stopped.clean_blobs), 'blob')} scanned "
                f"clean kept in {cache_path}",
                err=True,
            )
        raise
    if cache_path is not None:
        blobcache.save(cache_path, cache | result.clean_blobs)
    if share is not None:
        result = dataclasses.replace(result, shard=share.record(names or ["."]))
    return result


def _report(
    result: SweepResult, fmt: str, output: Path | None, show_secrets: bool, *, pushing: bool
) -> None:
    if fmt == "console":
        rendered = sweep_console.render(result, show_secrets=show_secrets, pushing=pushing)
        write_rich(rendered, output, reveal=show_secrets)
        return
    report = Report.of_sweep(result, show_secrets=show_secrets)
    write_report(report, fmt, output, reveal=show_secrets)
    LiveProgress.show_on_terminal(sweep_console.summary_table(result))
