"""A local smart-HTTP git server: git's own ``git http-backend`` behind a small HTTP server.

It serves the bare repositories under *root* (``root/acme/shop.git`` is
``URL/acme/shop.git``) on 127.0.0.1 on a free port, in a background thread, and asks for a
token by basic auth as GitHub and GitLab do: user ``x-access-token`` (or GitLab's
``oauth2``) with the token as the password; a request without it gets 401 and a
``WWW-Authenticate`` challenge. Pushes are refused (403) and counted, so a test can prove
that nothing was written to a remote. The log holds paths and verdicts, never a token.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

USERS = ("x-access-token", "oauth2")


@dataclass(frozen=True)
class GitRequest:
    method: str
    path: str
    service: str  # "git-upload-pack", "git-receive-pack" or ""
    status: int
    token: str  # "none", "good" or "bad"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256
    git: GitHttpServer


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.0: each answer ends when the connection closes, as a CGI's output does.
    protocol_version = "HTTP/1.0"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: :attr:`GitHttpServer.requests` is the record."""

    def do_GET(self) -> None:
        self.server.git.handle(self, "GET")

    def do_POST(self) -> None:
        self.server.git.handle(self, "POST")


class GitHttpServer:
    """``with GitHttpServer(root, token=t) as git: git.url``.

    *token* None serves without authentication. *denied* holds repository paths
    (``acme/secret``) that the token may not read: they answer 404 as GitHub answers a
    repository one cannot see.
    """

    def __init__(self, root: Path, *, token: str | None = None) -> None:
        self.root = root
        self.token = token
        self.denied: set[str] = set()
        self.delay = 0.0  # seconds each answer waits: a slow server, for tests that interrupt
        self.requests: list[GitRequest] = []
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        backend = shutil.which("git")
        if backend is None:
            raise RuntimeError("git is not on PATH")
        self._git = backend

    def start(self) -> GitHttpServer:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.git = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> GitHttpServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the git server is not running; call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url_for(self, path: str) -> str:
        return f"{self.url}/{path}.git"

    def pushes(self) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.service == "git-receive-pack")

    # -- serving -----------------------------------------------------------------------------
    def _verdict(self, header: str | None) -> str:
        scheme, _, value = (header or "").partition(" ")
        if scheme.lower() != "basic" or not value:
            return "none"
        try:
            user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        except ValueError:
            return "bad"
        return "good" if user in USERS and password == self.token else "bad"

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path = unquote(parts.path)
        service = "git-receive-pack" if "git-receive-pack" in handler.path else ""
        if not service and "git-upload-pack" in handler.path:
            service = "git-upload-pack"
        verdict = self._verdict(handler.headers.get("authorization"))
        repo = path.strip("/").split(".git/")[0].removesuffix(".git")
        status = 0
        if service == "git-receive-pack":
            status = 403  # a sweep never pushes; the test that proves it counts these
        elif self.token is not None and verdict != "good":
            status = 401
        elif repo in self.denied or ".." in repo.split("/"):
            status = 404
        if status:
            self._log(method, path, service, status, verdict)
            self._refuse(handler, status)
            return
        self._log(method, path, service, 200, verdict)
        if self.delay:
            time.sleep(self.delay)
        self._cgi(handler, method, path, parts.query)

    def _log(self, method: str, path: str, service: str, status: int, verdict: str) -> None:
        with self._lock:
            self.requests.append(GitRequest(method, path, service, status, verdict))

    def _refuse(self, handler: BaseHTTPRequestHandler, status: int) -> None:
        messages = {401: b"Authentication required\n", 403: b"Forbidden\n", 404: b"Not found\n"}
        body = messages.get(status, b"error\n")
        handler.send_response(status)
        if status == 401:
            handler.send_header("WWW-Authenticate", 'Basic realm="keyguard stand-in"')
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _cgi(self, handler: BaseHTTPRequestHandler, method: str, path: str, query: str) -> None:
        body = _body(handler)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": handler.headers.get("content-type") or "",
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",
            "REMOTE_ADDR": "127.0.0.1",
        }
        if handler.headers.get("content-encoding"):
            env["HTTP_CONTENT_ENCODING"] = handler.headers["content-encoding"]
        if handler.headers.get("git-protocol"):
            env["GIT_PROTOCOL"] = handler.headers["git-protocol"]
        proc = subprocess.run(
            [self._git, "http-backend"], input=body, capture_output=True, env=env, check=False
        )
        head, _, rest = proc.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, rest = proc.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name.strip(), value.strip()))
        try:
            handler.send_response(status)
            for name, value in headers:
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(rest)))
            handler.end_headers()
            handler.wfile.write(rest)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body, whole: git sends a large one chunked, and a CGI wants a length."""
    if "chunked" in (handler.headers.get("transfer-encoding") or "").lower():
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("content-length") or 0)
    return handler.rfile.read(length) if length else b""
