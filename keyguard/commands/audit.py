"""``keyguard audit BASELINE``: label results where ``detect-secrets audit`` crashes (#611)."""

from __future__ import annotations

from pathlib import Path

import click

from scanner.stores.baseline_audit import AuditItem, ResultKey, pending, save_labels

_ANSWERS = {"y": True, "n": False}
_PROMPT = "Is this a real secret? (y)es, (n)o: false positive, (s)kip, (b)ack, (q)uit"


@click.command()
@click.argument("baseline", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Directory the baseline's file names are relative to. [default: the baseline's directory]",
)
@click.option("--show-secrets", is_flag=True, help="Show secrets in full (default: redacted).")
def audit(baseline: Path, root: Path | None, show_secrets: bool) -> int:
    """Label each unlabelled result in BASELINE as a real secret or a false positive.

    Works on detect-secrets baselines holding results of any plugin, including the
    Klaviyo plugin that `detect-secrets audit` cannot load (its issue #611). Answers are
    saved as `is_secret` when you finish or quit.
    """
    items = pending(baseline, root=root or baseline.parent, reveal=show_secrets)
    if not items:
        click.echo(f"Nothing to audit: every result in {baseline} is labelled.")
        return 0
    labels = _ask(items)
    changed = save_labels(baseline, labels)
    click.echo(f"Saved {changed} label(s) to {baseline}.")
    return 0


def _ask(items: list[AuditItem]) -> dict[ResultKey, bool]:
    labels: dict[ResultKey, bool] = {}
    index = 0
    while index < len(items):
        item = items[index]
        _show(item, index, len(items))
        try:
            answer = click.prompt(_PROMPT, default="s", show_default=False).strip().lower()[:1]
        except click.exceptions.Abort:  # end of input or Ctrl-C: keep what was answered
            click.echo()
            break
        if answer == "q":
            break
        if answer == "b":
            index = max(0, index - 1)
            continue
        if answer == "s":
            labels.pop(item.key, None)
        elif answer in _ANSWERS and item.problem is None:
            labels[item.key] = _ANSWERS[answer]
        elif answer in _ANSWERS:
            click.echo("It cannot be shown, so it cannot be labelled: skipped.")
        else:
            click.echo("Please answer y, n, s, b or q.")
            continue
        index += 1
    return labels


def _show(item: AuditItem, index: int, total: int) -> None:
    click.echo(f"\nSecret {index + 1} of {total}: {item.type}")
    click.echo(f"{item.filename}:{item.line_number}")
    if item.problem is not None:
        click.echo(f"  cannot show it: {item.problem} (re-scan to refresh the baseline)")
        return
    for number, text in item.lines:
        marker = ">" if number == item.line_number else " "
        click.echo(f"{marker}{number:>5} | {text}")
