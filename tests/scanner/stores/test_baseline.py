"""Baselines: read detect-secrets' own, write ones detect-secrets reads back."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from keyguard.error_handler import exit_code_for
from plugins.pattern import SECRET_TYPE, Secret, baseline_hash
from scanner.detect.engine import detect_bytes
from scanner.findings import Finding, Occurrence, group
from scanner.stores import baseline
from tests.support.detect_secrets_cli import (
    PLUGIN_FILE,
    git_repo,
    our_results,
    run_detect_secrets,
    scan_to_baseline,
)
from tests.support.keys import make_key


def _aws_key(label: str) -> str:
    # AWSKeyDetector's shape, so a detect-secrets baseline holds another plugin's result.
    digits = str(int.from_bytes(label.encode(), "big"))
    return "AKIA" + (digits * 16)[:16]


def _findings(root: Path, *names: str) -> tuple[Finding, ...]:
    pairs: list[tuple[Secret, Occurrence]] = []
    for name in names:
        pairs.extend(detect_bytes(str(root / name), (root / name).read_bytes()).hits)
    return group(pairs)


def _entries(document: dict[str, Any]) -> set[tuple[str, str, int, bool | None]]:
    return {
        (e["filename"], e["hashed_secret"], e.get("line_number", 0), e.get("is_secret"))
        for e in our_results(document)
    }


# --- load ------------------------------------------------------------------------------


def test_loads_a_baseline_detect_secrets_wrote_with_any_plugins(tmp_path: Path) -> None:
    key, other, aws = make_key("load"), make_key("not baselined"), _aws_key("load")
    repo = git_repo(tmp_path / "repo", {"app.py": f'K = "{key}"\nAWS = "{aws}"\n'})
    scan_to_baseline(repo)

    loaded = baseline.load(repo / ".secrets.baseline")

    assert loaded.contains(Secret(key))
    assert not loaded.contains(Secret(other))
    assert baseline_hash(aws) in loaded.hashes  # another plugin's result is read too


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read baseline"),
        ("{not json", "is not valid JSON (line 1"),
        ("[]", "not a JSON object"),
        ('{"version": "1.5.0"}', 'no "results" object'),
        ('{"results": {"a.py": {}}}', 'results for "a.py" are not a list'),
        ('{"results": {"a.py": [{"type": "x"}]}}', 'has no "hashed_secret"'),
        ('{"results": {}, "version": "0.14.3"}', "predates detect-secrets 1.0"),
        ('{"results": {}, "plugins_used": {}}', '"plugins_used" is not a list'),
    ],
)
def test_a_bad_baseline_is_a_one_line_usage_error(
    tmp_path: Path, content: str | None, expected: str
) -> None:
    path = tmp_path / ".secrets.baseline"
    if content is not None:
        path.write_text(content)
    with pytest.raises(baseline.BaselineError) as caught:
        baseline.load(path)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert str(path) in message
    assert exit_code_for(caught.value) == 2


def test_a_directory_is_not_a_baseline(tmp_path: Path) -> None:
    with pytest.raises(baseline.BaselineError, match="cannot read baseline"):
        baseline.load(tmp_path)


# --- update ----------------------------------------------------------------------------


def test_writes_a_new_baseline_detect_secrets_reads_back(tmp_path: Path) -> None:
    key, prefixed = make_key("new"), make_key("new prefixed", prefixed=True)
    repo = git_repo(
        tmp_path / "repo",
        {
            "src/app.py": f'client = KlaviyoAPI(api_key="{key}")\n\nK2 = "{prefixed}"\n',
            "web/.env": f"A=1\nKLAVIYO={key}\n",
        },
    )
    path = repo / ".secrets.baseline"

    baseline.update(path, _findings(repo, "src/app.py", "web/.env"), root=repo)

    text = path.read_text()
    assert key not in text
    assert prefixed not in text
    document = json.loads(text)
    assert list(document) == ["version", "plugins_used", "filters_used", "results", "generated_at"]
    assert document["version"] == "1.5.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["generated_at"])
    assert document["plugins_used"] == [
        {"name": "KlaviyoDetector", "path": f"file://{PLUGIN_FILE}"}
    ]
    assert _entries(document) == {
        ("src/app.py", baseline_hash(key), 1, None),
        ("src/app.py", baseline_hash(prefixed), 3, None),
        ("web/.env", baseline_hash(key), 2, None),
    }
    assert baseline.load(path).contains(Secret(prefixed))

    # detect-secrets rescans with our baseline's settings (our plugin, our filters) and
    # agrees: including the KlaviyoAPI(api_key=...) line its default filters would drop.
    proc = run_detect_secrets("scan", "--no-verify", "--baseline", ".secrets.baseline", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert _entries(json.loads(path.read_text())) == _entries(document)


def test_update_keeps_other_plugins_labels_and_filters(tmp_path: Path) -> None:
    key, aws, new = make_key("kept"), _aws_key("kept"), make_key("added")
    repo = git_repo(tmp_path / "repo", {"app.py": f'K = "{key}"\nAWS = "{aws}"\n'})
    written = scan_to_baseline(repo, "--exclude-lines", "^#")
    # A teammate audited our result as a real secret; their plugin path is not ours.
    for entry in our_results(written):
        entry["is_secret"] = True
    for plugin in written["plugins_used"]:
        if plugin["name"] == "KlaviyoDetector":
            plugin["path"] = "file:///home/someone/klaviyo-keyguard/plugins/klaviyo.py"
    path = repo / ".secrets.baseline"
    path.write_text(json.dumps(written, indent=2) + "\n")
    # The key moved down two lines, and a new key appeared in another file.
    (repo / "app.py").write_text(f'# moved\n\nK = "{key}"\nAWS = "{aws}"\n')
    (repo / "new.py").write_text(f"N = '{new}'\n")

    baseline.update(path, _findings(repo, "app.py", "new.py"), root=repo)

    document = json.loads(path.read_text())
    assert _entries(document) == {
        ("app.py", baseline_hash(key), 3, True),
        ("new.py", baseline_hash(new), 1, None),
    }
    others = [e for es in document["results"].values() for e in es if e["type"] != SECRET_TYPE]
    assert others == [
        e for es in written["results"].values() for e in es if e["type"] != SECRET_TYPE
    ]
    assert document["filters_used"] == written["filters_used"]
    assert {"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": ["^#"]} in (
        document["filters_used"]
    )
    assert [p["name"] for p in document["plugins_used"]] == [
        p["name"] for p in written["plugins_used"]
    ]
    assert {"name": "KlaviyoDetector", "path": f"file://{PLUGIN_FILE}"} in document["plugins_used"]
    assert document["version"] == written["version"]


def test_update_with_nothing_new_leaves_the_file_alone(tmp_path: Path) -> None:
    key = make_key("stable")
    repo = git_repo(tmp_path / "repo", {"b.py": f"K = '{key}'\n", "a.py": f"K = '{key}'\n"})
    path = repo / ".secrets.baseline"
    findings = _findings(repo, "b.py", "a.py")
    baseline.update(path, findings, root=repo)
    first = path.read_bytes()
    document = json.loads(first)
    document["generated_at"] = "2000-01-01T00:00:00Z"
    path.write_text(json.dumps(document, indent=2) + "\n")
    frozen = path.read_bytes()

    baseline.update(path, findings, root=repo)
    baseline.update(path, tuple(reversed(findings)), root=repo)

    assert path.read_bytes() == frozen
    assert list(json.loads(first)["results"]) == ["a.py", "b.py"]


def test_update_refuses_to_overwrite_something_that_is_not_a_baseline(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text('{"hello": "world"}\n')
    with pytest.raises(baseline.BaselineError, match="not a detect-secrets baseline"):
        baseline.update(path, (), root=tmp_path)
    assert path.read_text() == '{"hello": "world"}\n'
