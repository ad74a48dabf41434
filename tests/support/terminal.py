"""Drive a command through a real pseudo-terminal, as a person at a keyboard would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

#: Become the session leader, take the pty as controlling terminal (so /dev/tty, which
#: hidden prompts read, is the pty), take Ctrl-C as a program started from a shell prompt
#: does (a test run started in the background, as `cmd &` from a script, inherits SIGINT
#: ignored, and Python then installs no KeyboardInterrupt handler), then run keyguard.
_BOOT = (
    "import os, signal, sys; os.close(os.open(os.ttyname(0), os.O_RDWR)); "
    "signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from keyguard.main import main; sys.argv = ['keyguard', *sys.argv[1:]]; main()"
)


class Terminal:
    def __init__(self, args: Sequence[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        self._fd = master
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _BOOT, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, "COLUMNS": "200", "TERM": "dumb"},
            start_new_session=True,
        )
        os.close(slave)
        self.transcript = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self._fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.transcript += chunk
        return bool(chunk)

    def expect(self, text: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.transcript:
            if time.monotonic() > deadline or not self._read(0.1):
                raise AssertionError(f"never saw {text!r}; got:\n{self.text()}")

    def send(self, line: str) -> None:
        os.write(self._fd, line.encode() + b"\r")

    def finish(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.1):
            pass
        code = self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        os.close(self._fd)
        return code

    def text(self) -> str:
        return self.transcript.decode("utf-8", "replace")


def answer(terminal: Terminal, steps: Sequence[tuple[str, Callable[[], str]]]) -> None:
    for prompt, reply in steps:
        terminal.expect(prompt)
        terminal.send(reply())
