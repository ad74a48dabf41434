"""The HTML triage page, opened in real headless Chromium (sealed off the network)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from plugins.pattern import fingerprint
from tests.support.chromium import render
from tests.support.openbao import Bao
from tests.support.triage import build_scene


class _Elements(HTMLParser):
    """Each start tag with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _elements(dom: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(dom)
    return parser.tags


def test_the_page_renders_its_table_and_timeline_and_fetches_nothing(
    bao: Bao, klaviyo: KlaviyoStandin, tmp_path: Path
) -> None:
    scene = build_scene(tmp_path, bao, klaviyo)
    scene.rotate("shop", scene.keys["retired"], scene.keys["replacement"])
    report = scene.sweep()
    page = tmp_path / "triage.html"
    run = scene.triage(report, "--format", "html", "-o", page)
    assert run.code == 1, run.stderr
    text = page.read_text(encoding="utf-8")
    assert not any(key in text for key in scene.leaks())
    for external in ("<script", "<link", "src=", "href=", "url(", "@import"):
        assert external not in text

    shown = render(page, tmp_path / "chromium")
    assert shown.requests == ()
    tags = _elements(shown.dom)
    rows = [a for tag, a in tags if tag == "tr" and a.get("class") == "key"]
    assert len(rows) == 8
    assert rows[0]["data-kind"] == "live_current"
    retired = [r for r in rows if r["data-fingerprint"] == fingerprint(scene.keys["retired"])]
    assert retired[0]["data-kind"] == "retired_present"
    assert any(tag == "svg" and a.get("class") == "timeline" for tag, a in tags)
    marks = {a["class"] for tag, a in tags if tag == "g" and a.get("class", "").startswith("mark")}
    assert marks == {"mark committed", "mark rotated", "mark retired"}
    assert "Content-Security-Policy" in shown.dom
    assert not any(key in shown.dom for key in scene.leaks())

    screenshot = tmp_path / "triage.png"
    render(page, tmp_path / "chromium-shot", screenshot=screenshot)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a page, not a blank

    revealed = tmp_path / "revealed.html"
    scene.triage(report, "--format", "html", "-o", revealed, "--show-secrets")
    assert scene.keys["current"] in revealed.read_text(encoding="utf-8")


def test_the_check_sees_a_page_that_fetches(tmp_path: Path) -> None:
    page = tmp_path / "fetching.html"
    page.write_text('<p>x</p><img src="https://example.invalid/a.png">', encoding="utf-8")
    assert render(page, tmp_path / "chromium").requests == ("https://example.invalid/a.png",)
