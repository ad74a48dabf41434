"""Run ``keyguard`` inside the test process, as a child process would see it.

Starting a Python child per command costs a third of a second of a core (much more on a
loaded machine), and most command tests only need what the command reads and writes. This
runner calls the real entry point, :func:`keyguard.main.main`, with what a child started by
``subprocess.run(..., capture_output=True, text=True)`` would have:

* file descriptors 0, 1 and 2 are pipes (the input written to one, the outputs read from the
  others), so ``isatty()``, rich's terminal-size probe and the git processes the command
  starts see exactly what they would in a child, and their output is captured too;
* ``sys.stdin``/``stdout``/``stderr`` are new text streams on those descriptors with the
  encoding and error handlers Python gives a child's standard streams;
* ``os.environ`` is the child's environment, the working directory its ``cwd``, ``sys.argv``
  the console script's (``keyguard ARGS``, so click names the program ``keyguard``);
* what ``main()`` changes for the whole process (the SIGTERM handler, the collector's
  thresholds) is put back afterwards, and a run that outlives *timeout* is stopped.

It returns a :class:`subprocess.CompletedProcess`, so call sites read it as before. A worker
pool's forkserver is started afresh for the command and ended with it, as in a child. What a
running interpreter cannot pretend is refused rather than faked: an environment that changes
how Python sets up its streams (``PYTHONIOENCODING``, the locale). Tests of signals, crashes,
terminals, the hook entry points, console scripts and import cost keep a real child process.
"""

from __future__ import annotations

import contextlib
import gc
import io
import locale
import os
import signal
import subprocess
import sys
import threading
import traceback
import types
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

#: Read by the interpreter when it starts: a child with other values gets other streams.
_STARTUP_VARIABLES = ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL", "LC_CTYPE", "LANG")
#: Those of them this process has: for a test that builds a child's environment from scratch.
LOCALE = {name: os.environ[name] for name in _STARTUP_VARIABLES if name in os.environ}


class InProcessTimeout(BaseException):
    """The command ran past its timeout (a BaseException, so ``except Exception`` in the
    product cannot swallow it)."""


class NeedsAChildProcess(ValueError):
    """This run cannot be reproduced in the test process: use a real child process."""


def run_keyguard_in_process(
    args: Sequence[str | Path],
    *,
    cwd: Path | str | None = None,
    stdin: str | None = "",
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
) -> subprocess.CompletedProcess[str]:
    """``keyguard ARGS`` with *stdin* as its input; *env* is the whole environment (the
    current one when None). No input (None) is an empty pipe, never the test's own stdin."""
    argv = [str(a) for a in args]
    environ = dict(os.environ if env is None else env)
    _refuse_what_a_child_would_do_differently(environ)
    encoding = locale.getpreferredencoding(False)
    data = (stdin or "").encode(encoding)
    with _child_like(argv, cwd, environ, data, timeout) as outputs:
        code = _call_main()
    stdout, stderr = (_decode(b, encoding) for b in outputs)
    return subprocess.CompletedProcess(["keyguard", *argv], code, stdout, stderr)


def _refuse_what_a_child_would_do_differently(env: dict[str, str]) -> None:
    for name in _STARTUP_VARIABLES:
        if env.get(name) != os.environ.get(name):
            raise NeedsAChildProcess(f"{name} changes how Python starts: run a child process")


def _stop_worker_pool_servers() -> None:
    """End multiprocessing's forkserver and resource tracker, as a child's exit ends them.

    A sweep of several targets starts its worker pool from a forkserver, which lives as long
    as the process: left running, the next command's workers would fork from a server with
    an earlier test's working directory, environment and output pipes. (CPython keeps these
    two singletons private; ``_stop`` is the method its own tests use.)
    """
    from multiprocessing import forkserver, resource_tracker

    server: Any = forkserver._forkserver  # private state, not in the stubs
    tracker: Any = resource_tracker._resource_tracker
    if server._forkserver_pid is None and tracker._fd is None:
        return  # the common case: no pool was started
    # A finished pool's semaphores are unlinked when collected: before their tracker ends,
    # which would otherwise unlink them itself and leave their finalizers a missing file.
    gc.collect()
    server._stop()
    tracker._stop()


def _call_main() -> int:
    """``main()`` as the interpreter runs a script: SystemExit is the exit status, any other
    exception a traceback on stderr and status 1."""
    from keyguard.main import main

    try:
        main()
    except SystemExit as exit_:
        code = exit_.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code & 0xFF
        print(code, file=sys.stderr)
        return 1
    except Exception:
        traceback.print_exc()
        return 1
    return 0


def _decode(data: bytes, encoding: str) -> str:
    # What subprocess does with text=True: the locale's codec, universal newlines.
    return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")


def _stdio_settings() -> tuple[str, str]:
    """(encoding, errors) of a child's stdin and stdout; stderr always backslash-escapes."""
    encoding = locale.getpreferredencoding(False)
    ctype = locale.setlocale(locale.LC_CTYPE)
    errors = "surrogateescape" if sys.flags.utf8_mode or ctype in ("C", "POSIX") else "strict"
    return encoding, errors


def _stream(fd: int, mode: str, name: str, encoding: str, errors: str) -> io.TextIOWrapper:
    raw = io.FileIO(fd, mode, closefd=False)
    raw.name = name  # as the interpreter names its own
    buffered: io.BufferedReader | io.BufferedWriter = (
        io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    )
    return io.TextIOWrapper(
        buffered, encoding=encoding, errors=errors, newline="\n", line_buffering=fd == 2
    )


def _drain(fd: int, into: bytearray) -> None:
    while chunk := os.read(fd, 65536):
        into += chunk


def _feed(fd: int, data: bytes) -> None:
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        pass  # the command stopped reading, as a child may
    finally:
        os.close(fd)


@contextlib.contextmanager
def _child_like(
    argv: list[str], cwd: Path | str | None, env: dict[str, str], data: bytes, timeout: float
) -> Iterator[list[bytes]]:
    encoding, errors = _stdio_settings()
    outputs: list[bytes] = []
    saved_fds = [os.dup(fd) for fd in (0, 1, 2)]
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_argv, saved_main = sys.argv, sys.modules["__main__"]
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    saved_term = signal.getsignal(signal.SIGTERM)
    saved_alarm = signal.getsignal(signal.SIGALRM)
    saved_gc = gc.get_threshold()
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    collected = [bytearray(), bytearray()]
    threads = [
        threading.Thread(target=_drain, args=(out_read, collected[0]), daemon=True),
        threading.Thread(target=_drain, args=(err_read, collected[1]), daemon=True),
        threading.Thread(target=_feed, args=(in_write, data), daemon=True),
    ]

    def expired(signum: int, frame: FrameType | None) -> None:
        raise InProcessTimeout(f"keyguard {' '.join(argv)} ran past {timeout} s")

    _stop_worker_pool_servers()
    try:
        for fd, target in ((0, in_read), (1, out_write), (2, err_write)):
            os.dup2(target, fd)
        for fd in (in_read, out_write, err_write):
            os.close(fd)
        for thread in threads:
            thread.start()
        streams = (
            _stream(0, "r", "<stdin>", encoding, errors),
            _stream(1, "w", "<stdout>", encoding, errors),
            _stream(2, "w", "<stderr>", encoding, "backslashreplace"),
        )
        sys.stdin, sys.stdout, sys.stderr = streams
        sys.argv = ["keyguard", *argv]
        sys.modules["__main__"] = types.ModuleType("__main__")  # a console script's
        os.environ.clear()
        os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            yield outputs
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            for stream in (sys.stdout, sys.stderr, *streams):
                # As at a child's exit: flushed, and a closed or broken stream loses its
                # tail; closed now, so that no late flush reaches the test's own output.
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()
            for stream in streams:
                with contextlib.suppress(OSError, ValueError):
                    stream.close()
            _stop_worker_pool_servers()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        sys.modules["__main__"] = saved_main
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        signal.signal(signal.SIGTERM, saved_term)
        signal.signal(signal.SIGALRM, saved_alarm)
        gc.set_threshold(*saved_gc)
        for fd, saved in enumerate(saved_fds):
            os.dup2(saved, fd)
            os.close(saved)
        for thread in threads:
            thread.join(timeout=30)
        if any(thread.is_alive() for thread in threads):
            raise RuntimeError("a process started by the command still holds its output open")
        for fd in (out_read, err_read):
            os.close(fd)
        outputs.extend(bytes(c) for c in collected)
