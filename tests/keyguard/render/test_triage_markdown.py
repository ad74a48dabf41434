"""The Markdown triage, for an incident ticket, read back by a Markdown parser."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from tests.support.openbao import Bao
from tests.support.triage import build_scene


def test_a_table_and_a_section_per_key_with_commands_as_code(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    report = scene.sweep()
    run = scene.triage(report, "--format", "markdown")
    assert run.code == 1, run.stderr
    tokens = MarkdownIt("commonmark").enable("table").parse(run.stdout)
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == 1 + 8  # the header and one row per key
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0].startswith("Klaviyo key triage")
    assert "Act now: these keys work (6)" in headings  # shop's key too: not rotated here
    code = [t.content for t in tokens if t.type == "inline" for t in t.children or []]
    assert any(c.startswith("keyguard rotate --config") for c in code)
    assert "## Notes" in run.stdout
    assert not any(key in run.stdout + run.stderr for key in scene.leaks())
