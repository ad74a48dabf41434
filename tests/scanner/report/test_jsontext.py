"""Report JSON: indented while small, compact past the threshold, the same document."""

from __future__ import annotations

import json

from scanner.report.jsontext import INDENT_UPTO, dumps


def test_small_reports_are_indented_and_large_ones_compact_with_the_same_content() -> None:
    small = {"findings": [{"path": "é.js", "line": 1}]}
    large = {"findings": [{"path": f"f{i}.js", "line": i} for i in range(INDENT_UPTO + 1)]}
    small_text = dumps(small, items=1)
    large_text = dumps(large, items=INDENT_UPTO + 1)
    assert small_text.startswith('{\n  "findings"')
    assert "é.js" in small_text  # UTF-8, not \\u escapes
    assert large_text.count("\n") == 1
    assert json.loads(small_text) == small
    assert json.loads(large_text) == large
