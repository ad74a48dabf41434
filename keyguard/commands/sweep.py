"""``keyguard sweep``: every key ever committed, in one repository or hundreds."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import click

from keyguard.commands import remote as remotes
from keyguard.commands.limits import archive_options
from keyguard.commands.remote import RemoteSweep, remote_options
from keyguard.commands.site import SiteSource, as_sweep_result, run_site, site_options
from keyguard.commands.sweep_options import Fleet, HistoryRange, history_options
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
from scanner.detect.archives import ArchiveLimits
from scanner.detect.options import DetectOptions
from scanner.exclude import Excludes
from scanner.fleet import SweepResult, start_workers, sweep_many
from scanner.report.model import Report
from scanner.report.wording import count
from scanner.shard import select_targets
from scanner.stores import blobcache
from scanner.sweep import SweepInterrupted, SweepOptions


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
@history_options
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
@remote_options
@site_options
@archive_options  # listed after the crawl options in --help
def sweep(
    targets: tuple[str, ...],
    targets_from: Path | None,
    jobs: int | None,
    shard: str | None,
    history: HistoryRange,
    excludes: tuple[str, ...],
    cache_path: Path | None,
    fmt: str,
    output: Path | None,
    show_secrets: bool,
    verification: Verification | None,
    remote: RemoteSweep,
    site: SiteSource | None,
    archive_limits: ArchiveLimits,
) -> int:
    """Sweep git history for Klaviyo private API keys: every blob of every branch, tag,
    remote-tracking ref, stash and note, each read once; plus untracked work-tree files.

    TARGETS are git work trees, bare repositories or plain directories (default: .),
    and remote repositories: github:OWNER, github:OWNER/REPO, gitlab:GROUP (with its
    subgroups), gitlab:GROUP/PROJECT or a clone URL, mirrored in --clone-cache with their
    pull-request heads (tokens from GITHUB_TOKEN or GH_TOKEN, and GITLAB_TOKEN).
    With --url, a deployed site instead: the page and what a browser loads for it
    (scripts, preloads, import maps, build manifests, source maps), same origin unless
    --allow-host, robots.txt honoured for pages. With --warc, a saved crawl.
    """
    excluded = Excludes.of(excludes)
    detect = DetectOptions(limits=archive_limits)
    if site is not None:
        if targets or targets_from:
            raise UsageError("--url and --warc take no TARGETS")
        result = as_sweep_result(run_site(site, detect), site.source, site.kind)
    else:
        options = history.sweep_options(os.environ)
        if options is None:
            return EXIT_CLEAN  # a pre-push with nothing to sweep
        options = dataclasses.replace(options, detect=detect, excludes=excluded)
        fleet = Fleet.of(targets, targets_from, shard, jobs)
        result = _sweep_targets(fleet, options, cache_path, remote)
    # After the whole fleet, so a key found in many targets is asked about once.
    if verification is not None:
        result = dataclasses.replace(result, findings=verification.apply(result.findings))
    _report(result, fmt, output, show_secrets, pushing=history.pre_push)
    return for_report(findings=bool(result.findings), errors=bool(result.errors))


def _sweep_targets(
    fleet: Fleet, options: SweepOptions, cache_path: Path | None, remote: RemoteSweep
) -> SweepResult:
    """The repositories and directories named; remote owners are listed first."""
    plan = remotes.prepare(fleet.named, remote)
    chosen = select_targets(plan.names, fleet.share)
    cache = blobcache.load(cache_path) if cache_path else frozenset()
    try:
        with (
            remotes.resumable(plan, remote, fleet.named, options, fleet.share) as run,
            LiveProgress(total=len(chosen)) as live,
        ):
            if fleet.jobs > 1 and len(chosen) > 1:
                start_workers(run.sweeper)  # their imports, while servers are asked
            settled = run.settle(chosen, options)
            result = sweep_many(
                settled.left,
                options,
                jobs=fleet.jobs,
                cache=cache,
                remember=cache_path is not None,
                progress=live.scanned,
                on_target=run.on_target(live.target_done),
                sweeper=settled.sweeper,
                done=settled.done,
                watch=live.watch if live.enabled else None,
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
    result = remotes.finish(result, plan, chosen)
    if fleet.share is not None:
        result = dataclasses.replace(result, shard=fleet.share.record(plan.names))
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
