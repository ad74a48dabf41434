"""``keyguard demo``: scan a built-in example with generated keys and decoys."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from keyguard.demo import build_example
from keyguard.output import stderr, write_rich
from scanner.report import console
from scanner.scan import scan_paths


@click.command()
def demo() -> int:
    """Scan a built-in example project (fake keys made on the spot, plus decoys)."""
    with tempfile.TemporaryDirectory(prefix="keyguard-demo-") as tmp:
        project = build_example(Path(tmp))
        stderr(f"keyguard demo: scanning an example project in {project}\n")
        result = scan_paths([project])
        write_rich(console.render(result), None)
    stderr("\nThe keys above were generated for this demo and never existed in Klaviyo.")
    return 0
