"""JSON text of a report: indented for people, compact past a size where indent costs.

``json.dumps`` with an ``indent`` runs the pure-Python encoder: 4.5 s of an 11.8 s scan that
found 100,000 keys. Past :data:`INDENT_UPTO` findings the C encoder writes it compact (the
same document; ``jq .`` indents it again).
"""

from __future__ import annotations

import json
from typing import Any

INDENT_UPTO = 1000


def dumps(document: Any, *, items: int) -> str:
    """*document* as JSON text; *items* is how many findings it holds."""
    if items > INDENT_UPTO:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
