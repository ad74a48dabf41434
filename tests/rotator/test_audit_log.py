from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rotator.audit_log import AuditLog, verify


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


_APPENDER = """
import sys
import os
import subprocess
import sys
from pathlib import Path
from rotator.audit_log import AuditLog
log = AuditLog(Path(sys.argv[1]))
sys.stdin.read()  # start together
for n in range(40):
    log.append({"event": "step", "writer": sys.argv[2], "n": n})
"""


def test_concurrent_writers_keep_the_chain_intact(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _APPENDER, str(path), str(w)],
            stdin=subprocess.PIPE,
            env=env,
        )
        for w in range(6)
    ]
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.close()
    assert [writer.wait(timeout=60) for writer in writers] == [0] * 6
    assert len(path.read_text().splitlines()) == 240
    assert verify(path) == []
