from __future__ import annotations

from pathlib import Path

from rotator.audit import AuditLog, verify


def test_chain_holds_and_detects_an_edit(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "a" / "audit.jsonl")
    for n in range(3):
        log.append({"event": "step", "n": n})
    assert verify(log.path) == []
    lines = log.path.read_text().splitlines()
    lines[1] = lines[1].replace('"n":1', '"n":7')
    log.path.write_text("\n".join(lines) + "\n")
    assert verify(log.path) == ["line 3: chain broken (a line before it was changed)"]


def test_dropped_line_breaks_the_chain(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    for n in range(3):
        log.append({"event": "step", "n": n})
    lines = log.path.read_text().splitlines()
    log.path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert verify(log.path) == ["line 2: chain broken (a line before it was changed)"]
