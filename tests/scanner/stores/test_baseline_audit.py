"""Labelling a baseline's results: detect-secrets finds them again, we show them masked."""

from __future__ import annotations

import json
from pathlib import Path

from plugins.pattern import SECRET_TYPE, baseline_hash
from scanner.stores.baseline_audit import pending, save_labels
from tests.support.detect_secrets_cli import git_repo, run_detect_secrets, scan_to_baseline
from tests.support.keys import make_key

BOGUS_PLUGIN = "file:///home/someone/else/plugins/klaviyo.py"


def _aws_key(label: str) -> str:
    digits = str(int.from_bytes(label.encode(), "big"))
    return "AKIA" + (digits * 16)[:16]


def _teammates_baseline(repo: Path) -> Path:
    """A baseline detect-secrets wrote on another machine: our plugin's path is not here."""
    document = scan_to_baseline(repo)
    for plugin in document["plugins_used"]:
        if plugin["name"] == "KlaviyoDetector":
            plugin["path"] = BOGUS_PLUGIN
    path = repo / ".secrets.baseline"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def test_detect_secrets_audit_crashes_on_a_custom_plugins_results(tmp_path: Path) -> None:
    # Its issue #611, reproduced: if this starts passing, keyguard audit can defer to it.
    repo = git_repo(tmp_path / "repo", {"app.py": f'K = "{make_key("611")}"\n'})
    scan_to_baseline(repo)
    proc = run_detect_secrets("audit", ".secrets.baseline", cwd=repo, stdin="y\n")
    assert proc.returncode != 0
    assert "from_secret_type" in proc.stderr
    assert proc.stderr.rstrip().endswith("TypeError")


def test_pending_finds_every_plugins_results_again_and_masks_them(tmp_path: Path) -> None:
    key, aws = make_key("pending"), _aws_key("pending")
    repo = git_repo(
        tmp_path / "repo",
        {"app.py": f'# config\nK = "{key}"\nAWS = "{aws}"\nprint(K)\n'},
    )
    path = _teammates_baseline(repo)

    items = pending(path, root=repo)

    assert [(i.filename, i.line_number, i.type, i.problem) for i in items] == [
        ("app.py", 2, SECRET_TYPE, None),
        ("app.py", 3, "AWS Access Key", None),
    ]
    ours, theirs = items
    assert ours.key == ("app.py", baseline_hash(key), SECRET_TYPE)
    assert ours.lines == (
        (1, "# config"),
        (2, f'K = "pk_…{key[-4:]}"'),
        (3, f'AWS = "****{aws[-4:]}"'),
        (4, "print(K)"),
    )
    assert theirs.lines[1] == (2, f'K = "pk_…{key[-4:]}"')
    shown = pending(path, root=repo, reveal=True)
    assert shown[0].lines[1] == (2, f'K = "{key}"')
    # Reading does not touch the file: the teammate's path stays.
    assert BOGUS_PLUGIN in path.read_text()


def test_pending_says_why_a_result_cannot_be_shown(tmp_path: Path) -> None:
    moved, gone, labelled = make_key("moved"), make_key("gone"), make_key("labelled")
    repo = git_repo(
        tmp_path / "repo",
        {"a.py": f"A = '{moved}'\n", "b.py": f"B = '{gone}'\n", "c.py": f"C = '{labelled}'\n"},
    )
    path = _teammates_baseline(repo)
    save_labels(path, {("c.py", baseline_hash(labelled), SECRET_TYPE): False})
    (repo / "a.py").write_text(f"\n\nA = '{moved}'\n")
    (repo / "b.py").unlink()

    items = pending(path, root=repo)

    assert [(i.filename, i.problem) for i in items] == [
        ("a.py", "the secret is no longer on line 1"),
        ("b.py", "cannot read the file: No such file or directory"),
    ]


def test_save_labels_changes_only_is_secret(tmp_path: Path) -> None:
    real, fake = make_key("real"), make_key("fake")
    repo = git_repo(tmp_path / "repo", {"x.py": f"R = '{real}'\nF = '{fake}'\n"})
    path = _teammates_baseline(repo)
    before = json.loads(path.read_text())
    real_key = ("x.py", baseline_hash(real), SECRET_TYPE)
    fake_key = ("x.py", baseline_hash(fake), SECRET_TYPE)

    assert save_labels(path, {real_key: True, fake_key: False}) == 2
    assert save_labels(path, {real_key: True}) == 0

    after = json.loads(path.read_text())
    assert [e.pop("is_secret") for e in after["results"]["x.py"]] == [True, False]
    assert after == before
    assert save_labels(path, {fake_key: None}) == 1
    assert "is_secret" not in json.loads(path.read_text())["results"]["x.py"][1]


def test_our_results_are_found_even_when_the_baseline_does_not_name_our_plugin(
    tmp_path: Path,
) -> None:
    key = make_key("unnamed plugin")
    repo = git_repo(tmp_path / "repo", {"k.py": f"K = '{key}'\n"})
    path = _teammates_baseline(repo)
    document = json.loads(path.read_text())
    document["plugins_used"] = [
        p for p in document["plugins_used"] if p["name"] != "KlaviyoDetector"
    ]
    path.write_text(json.dumps(document))

    (item,) = pending(path, root=repo)

    assert item.problem is None
    assert item.lines == ((1, f"K = 'pk_…{key[-4:]}'"),)
