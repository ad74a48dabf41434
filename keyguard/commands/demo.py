"""``keyguard demo``: sweep a built-in example repository and verify what it finds."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from keyguard.commands.sweep import sweep
from keyguard.output import stderr
from keyguard.rehearsal.example import build_example, start_standin


@click.command()
@click.pass_context
def demo(ctx: click.Context) -> int:
    """Sweep a built-in example repository (fake keys made on the spot, plus decoys) and
    check each key against a local Klaviyo stand-in. Needs git; touches nothing else."""
    with tempfile.TemporaryDirectory(prefix="keyguard-demo-") as tmp:
        example = build_example(Path(tmp))
        stderr(
            f"keyguard demo: an example storefront repository in {example.project}\n"
            "  its history leaked three keys; a local Klaviyo stand-in answers for them.\n"
            f"  running: keyguard sweep --verify {example.project}\n"
        )
        standin = start_standin(example)
        try:
            code = ctx.invoke(
                sweep, targets=(str(example.project),), verify=True, klaviyo_url=standin.url, jobs=1
            )
        finally:
            standin.stop()
    stderr(
        "\nThe keys above were generated for this demo and never existed in Klaviyo."
        "\nNext: `keyguard rotate --rehearse` practises replacing a leaked key, end to end."
    )
    return 0 if code in (0, 1) else int(code)
