"""A TCP proxy in front of a real HTTP server that keeps what clients sent: to count the
requests a client made and how many connections it held open at once."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator

_REQUEST_LINE = re.compile(rb"(?:^|\r\n)(GET|POST|PUT|PATCH|DELETE|LIST) (\S+) HTTP/1\.[01]\r\n")


class RecordingProxy:
    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._sent: list[bytearray] = []
        self._open = 0
        self.most_open = 0  # connections open at once, at most
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def addr(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[tuple[str, str]]:
        """(method, path with query) of every request sent through the proxy."""
        with self._lock:
            sent = [bytes(b) for b in self._sent]
        return [
            (m.group(1).decode(), m.group(2).decode())
            for data in sent
            for m in _REQUEST_LINE.finditer(data)
        ]

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            record = bytearray()
            with self._lock:
                self._sent.append(record)
                self._sockets += [client, upstream]
                self._open += 1
                self.most_open = max(self.most_open, self._open)
            threading.Thread(
                target=self._pipe, args=(client, upstream, record), daemon=True
            ).start()
            threading.Thread(target=self._pipe, args=(upstream, client, None), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, record: bytearray | None) -> None:
        with contextlib.suppress(OSError):
            while chunk := src.recv(65536):
                if record is not None:
                    with self._lock:
                        record.extend(chunk)
                dst.sendall(chunk)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
        if record is not None:
            with self._lock:
                self._open -= 1

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()


@contextlib.contextmanager
def recording_proxy(addr: str) -> Iterator[RecordingProxy]:
    host, _, port = addr.removeprefix("http://").partition(":")
    proxy = RecordingProxy(host, int(port))
    try:
        yield proxy
    finally:
        proxy.close()
