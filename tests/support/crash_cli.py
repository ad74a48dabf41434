"""Run ``keyguard`` and SIGKILL it right after its Nth side effect (test harness only).

The product has no crash hook: this script wraps the Vault store's two writing calls
and the command-integration runner, lets the real call complete, then kills its own
process with SIGKILL, the way a power cut or ``kill -9`` would. With N = 0 it never
kills and reports how many side effects a run made in the file named by
``CRASH_COUNT_FILE``, so a test can enumerate every point. ``CRASH_AT_CALL=write`` kills
right after the Vault data write instead, before its journal record.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rotator import integrations
from rotator.vault import VaultStore

_after = int(os.environ.get("CRASH_AFTER", "0"))
#: Or kill after the first call of one named side effect ("write", "patch_custom", ...).
_at_call = os.environ.get("CRASH_AT_CALL")
_count = 0


def _wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    def side_effect(*args: Any, **kwargs: Any) -> Any:
        global _count
        result = fn(*args, **kwargs)
        _count += 1
        if _count == _after or fn.__name__ == _at_call:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    return side_effect


def _report() -> None:
    target = os.environ.get("CRASH_COUNT_FILE")
    if target:
        Path(target).write_text(str(_count), encoding="utf-8")


VaultStore.write = _wrap(VaultStore.write)  # type: ignore[method-assign]
VaultStore.patch_custom = _wrap(VaultStore.patch_custom)  # type: ignore[method-assign]
integrations.run_command = _wrap(integrations.run_command)
atexit.register(_report)

if __name__ == "__main__":
    from keyguard.main import main

    sys.argv = ["keyguard", *sys.argv[1:]]
    main()
