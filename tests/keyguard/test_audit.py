"""``keyguard audit``: a person labels results at a prompt; the baseline keeps the labels."""

from __future__ import annotations

import json
from pathlib import Path

from keyguard.rehearsal.klaviyo_standin import KlaviyoStandin
from plugins.pattern import baseline_hash
from tests.support.detect_secrets_cli import (
    git_repo,
    our_results,
    run_detect_secrets,
    scan_to_baseline,
)
from tests.support.keyguard_cli import run_audit, run_keyguard
from tests.support.keys import make_key


def _labels(path: Path) -> dict[str, bool | None]:
    return {
        e["hashed_secret"]: e.get("is_secret") for e in our_results(json.loads(path.read_text()))
    }


def _repo_with_three_keys(tmp_path: Path) -> tuple[Path, list[str]]:
    keys = [make_key("audit a"), make_key("audit b", prefixed=True), make_key("audit c")]
    repo = git_repo(
        tmp_path / "repo",
        {
            "a.py": f"A = '{keys[0]}'\n",
            "b.json": f'{{"k": "{keys[1]}"}}\n',
            "c.env": f"C={keys[2]}\n",
        },
    )
    scan_to_baseline(repo)
    return repo, keys


def test_labels_what_detect_secrets_audit_cannot(tmp_path: Path) -> None:
    repo, keys = _repo_with_three_keys(tmp_path)
    baseline = repo / ".secrets.baseline"

    # Real secret, then a typo, false positive, back, change of mind, then quit.
    proc = run_audit(baseline, cwd=repo, stdin="y\nmaybe\nn\nb\ny\nq\n")

    assert proc.returncode == 0, proc.stderr
    assert "Secret 1 of 3: Klaviyo Private API Key" in proc.stdout
    assert "a.py:1" in proc.stdout
    assert f">    1 | A = 'pk_…{keys[0][-4:]}'" in proc.stdout
    assert "Please answer y, n, s, b or q." in proc.stdout
    assert "Saved 2 label(s)" in proc.stdout
    assert not [k for k in keys if k in proc.stdout + proc.stderr]
    assert _labels(baseline) == {
        baseline_hash(keys[0]): True,
        baseline_hash(keys[1]): True,
        baseline_hash(keys[2]): None,
    }

    # The next session shows only what is left; end of input keeps what was answered.
    proc = run_audit(baseline, cwd=repo, stdin="n\n")
    assert proc.returncode == 0, proc.stderr
    assert "Secret 1 of 1" in proc.stdout
    assert "c.env:1" in proc.stdout
    assert _labels(baseline)[baseline_hash(keys[2])] is False

    proc = run_audit(baseline, cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "Nothing to audit" in proc.stdout


def test_end_of_input_saves_progress_and_show_secrets_shows_keys(tmp_path: Path) -> None:
    repo, keys = _repo_with_three_keys(tmp_path)
    baseline = repo / ".secrets.baseline"
    # Run from elsewhere: file names resolve against the baseline's directory.
    proc = run_audit("--show-secrets", baseline, cwd=tmp_path, stdin="n\n")
    assert proc.returncode == 0, proc.stderr
    assert f"A = '{keys[0]}'" in proc.stdout
    assert "Secret 2 of 3" in proc.stdout
    assert _labels(baseline)[baseline_hash(keys[0])] is False


def test_a_broken_baseline_is_a_one_line_usage_error(tmp_path: Path) -> None:
    path = tmp_path / ".secrets.baseline"
    path.write_text("{")
    proc = run_audit(path, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("keyguard: error: baseline ")
    assert proc.stderr.count("\n") == 1


def test_update_baseline_audit_and_scan_again_round_trip(tmp_path: Path) -> None:
    key, prefixed = make_key("round trip"), make_key("round trip env", prefixed=True)
    repo = git_repo(
        tmp_path / "repo",
        {
            "src/client.py": f'client = KlaviyoAPI(api_key="{key}")\n',
            ".env": f"KLAVIYO={prefixed}\n",
        },
    )
    baseline = repo / ".secrets.baseline"

    written = run_keyguard("scan", "--update-baseline", baseline.name, cwd=repo)
    assert written.returncode == 1, written.stderr
    assert {
        (e["filename"], e["line_number"]) for e in our_results(json.loads(baseline.read_text()))
    } == {
        ("src/client.py", 1),
        (".env", 1),
    }

    audited = run_audit(baseline.name, cwd=repo, stdin="n\ny\n")  # .env first: sorted by file
    assert audited.returncode == 0, audited.stderr
    assert _labels(baseline) == {baseline_hash(prefixed): False, baseline_hash(key): True}

    assert run_keyguard("scan", "--baseline", baseline.name, cwd=repo).returncode == 0
    # detect-secrets itself rescans with our baseline and keeps the labels.
    rescanned = run_detect_secrets("scan", "--no-verify", "--baseline", baseline.name, cwd=repo)
    assert rescanned.returncode == 0, rescanned.stderr
    assert _labels(baseline) == {baseline_hash(prefixed): False, baseline_hash(key): True}


def test_auditing_never_calls_klaviyo(tmp_path: Path, klaviyo: KlaviyoStandin) -> None:
    # Our baselines keep detect-secrets' verification filter, under which every secret it
    # finds again would be checked over the network; labelling must not do that.
    key = make_key("audit offline")
    klaviyo.add_key(key)
    repo = git_repo(tmp_path / "repo", {"k.py": f"K = '{key}'\n"})
    env = {"KEYGUARD_KLAVIYO_URL": klaviyo.url}
    assert run_keyguard("scan", "--update-baseline", ".secrets.baseline", cwd=repo).returncode == 1
    filters = json.loads((repo / ".secrets.baseline").read_text())["filters_used"]
    assert "detect_secrets.filters.common.is_ignored_due_to_verification_policies" in {
        f["path"] for f in filters
    }

    proc = run_audit(".secrets.baseline", cwd=repo, stdin="y\n", env=env)

    assert proc.returncode == 0, proc.stderr
    assert _labels(repo / ".secrets.baseline") == {baseline_hash(key): True}
    assert len(klaviyo.log) == 0


def test_a_baseline_written_from_another_directory_can_be_audited(tmp_path: Path) -> None:
    # File names in a baseline are relative to the baseline's directory, which is where
    # `keyguard audit` (and detect-secrets run beside it) look for them.
    key = make_key("audit elsewhere")
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.py").write_text(f"A = '{key}'\n")
    baseline = project / ".secrets.baseline"
    written = run_keyguard(
        "scan", "project", "--update-baseline", "project/.secrets.baseline", cwd=tmp_path
    )
    assert written.returncode == 1, written.stderr
    assert list(json.loads(baseline.read_text())["results"]) == ["a.py"]
    proc = run_audit(baseline, cwd=tmp_path, stdin="y\n")
    assert proc.returncode == 0, proc.stderr
    assert "cannot show it" not in proc.stdout
    assert _labels(baseline) == {baseline_hash(key): True}
