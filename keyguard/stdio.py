"""Standard streams that cannot crash a finished scan while it prints its report."""

from __future__ import annotations

import io
import sys


def tolerate_unencodable_output() -> None:
    """Escape what stdout/stderr cannot encode instead of raising UnicodeEncodeError.

    A strict stream (an ASCII ``PYTHONIOENCODING``, or a UTF-8 locale meeting a file name
    that is not UTF-8) would otherwise turn a found key into a traceback. A stream that
    already tolerates (``surrogateescape`` under the C locale) keeps its handler, which
    writes such a name's original bytes.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")
