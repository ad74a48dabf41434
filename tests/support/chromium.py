"""Debian's Chromium, headless, for testing pages as a browser renders them.

Every run is sealed off the network: all host names resolve to nothing and every request
goes to a dead proxy on 127.0.0.1, so neither the page nor the browser's own background
traffic (update and sign-in checks) can leave the machine. The net log still records what
was asked for, which is how a test tells that a page requested nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

SEALED = (
    "--headless",
    "--no-sandbox",  # as root in a container
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-pings",
    "--disable-domain-reliability",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
)
#: The initiator the net log gives requests the browser makes for itself.
_BROWSER = "not an origin"


def chromium() -> str:
    """The binary; CI installs it (.ci/run), elsewhere its absence skips the test."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return found


@dataclass(frozen=True)
class Rendered:
    dom: str  # the document as the browser built it
    requests: tuple[str, ...]  # URLs the page asked for (the browser's own left out)


def render(page: Path, work: Path, *, screenshot: Path | None = None) -> Rendered:
    work.mkdir(parents=True, exist_ok=True)
    netlog = work / "net.json"
    shot = [f"--screenshot={screenshot}", "--window-size=1280,1600"] if screenshot else []
    done = subprocess.run(
        [
            chromium(),
            *SEALED,
            f"--user-data-dir={work / 'profile'}",
            f"--log-net-log={netlog}",
            *shot,
            *([] if screenshot else ["--dump-dom"]),
            page.absolute().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        env={**os.environ, "HOME": str(work)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return Rendered(done.stdout, page_requests(netlog))


def page_requests(netlog: Path) -> tuple[str, ...]:
    log = json.loads(netlog.read_text(encoding="utf-8"))
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    found = []
    for event in log["events"]:
        params = event.get("params") or {}
        started = names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in params
        if started and params.get("initiator") != _BROWSER:
            found.append(str(params["url"]))
    return tuple(found)
