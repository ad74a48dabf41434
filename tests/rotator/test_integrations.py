from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pytest

from rotator.integrations import Context, Integration, IntegrationError, run_automatic

CTX = Context("kv/klaviyo/shop", "private_key", 7, "r1")


class _Reload(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []
    status = 204

    def do_POST(self) -> None:
        type(self).seen.append(self.path + repr(dict(self.headers)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def reload_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Reload)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/reload"
    server.shutdown()
    server.server_close()


def test_http_step_expects_2xx(reload_url: str) -> None:
    step = Integration("web", "http", url=reload_url)
    with httpx.Client() as http:
        _Reload.status = 204
        run_automatic(step, CTX, http=http)
        assert "x-keyguard-rotation': 'r1'" in _Reload.seen[-1].lower()
        _Reload.status = 500
        with pytest.raises(IntegrationError, match="answered 500, expected 2xx"):
            run_automatic(step, CTX, http=http)


def test_command_step_gets_the_version_and_fails_on_nonzero_exit() -> None:
    check = "import os,sys; sys.exit(0 if os.environ['KEYGUARD_NEW_VERSION']=='7' else 3)"
    with httpx.Client() as http:
        run_automatic(
            Integration("ok", "command", command=(sys.executable, "-c", check)),
            CTX,
            http=http,
            environ={},
        )
        with pytest.raises(IntegrationError, match="exited 3"):
            run_automatic(
                Integration("bad", "command", command=(sys.executable, "-c", check)),
                Context("kv/x", "private_key", 8, "r2"),
                http=http,
                environ={},
            )
