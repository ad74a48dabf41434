"""A real local HTTP server (threaded ``http.server`` on 127.0.0.1) serving a test site."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    chunk_delay: float = 0.0  # seconds between 1 KiB chunks: a slow server
    repeat: int = 1  # the body sent this many times: a huge response


@dataclass
class Site:
    routes: dict[str, Route]
    requested: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

        def do_GET(self) -> None:
            site.requested.append(self.path)
            route = site.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("content-type", route.content_type)
            self.send_header("content-length", str(len(route.body) * route.repeat))
            for name, value in route.headers.items():
                self.send_header(name, value.replace("{port}", str(site.port)))
            self.end_headers()
            try:
                for _ in range(route.repeat):
                    if route.chunk_delay:
                        for i in range(0, len(route.body), 1024):
                            self.wfile.write(route.body[i : i + 1024])
                            self.wfile.flush()
                            time.sleep(route.chunk_delay)
                    else:
                        self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what a bounded crawler does

    return Handler


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[Site]:
    site = Site(routes)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    server.daemon_threads = True
    site.port = server.server_address[1]
    # A short poll: shutdown() waits for it, at every test's end (0.5 s by default).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def brotli_bomb(size: int) -> bytes:
    """*size* zero bytes, brotli-compressed (1 GiB is under 2 KB), made without holding them."""
    import brotli

    packer = brotli.Compressor(quality=5)
    block = bytes(1 << 20)
    parts = [packer.process(block) for _ in range(size >> 20)]
    return b"".join([*parts, packer.finish()])


def gzip_bomb(size: int) -> bytes:
    """*size* zero bytes, gzip-compressed (about 1 KB per MiB)."""
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join([*parts, packer.flush()])
