"""The report model: records round-trip JSON, the schema says what the model writes, and a
file that is not a report of ours is one error line naming the field, never a value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from plugins.client.responses import Account
from plugins.key_status import KeyStatus
from plugins.pattern import Secret, fingerprint
from scanner.findings import Occurrence, Provenance, ScanIssue, SourceLocation, Verdict
from scanner.fleet import sweep_many
from scanner.report.fields import Fields, ReportError
from scanner.report.model import SCHEMA_VERSION, Report, ReportFinding, Stats, Target, load
from scanner.scan import scan_paths
from scanner.shard import Shard
from scanner.sweep import SweepOptions
from tests.support.history import build_corners
from tests.support.keys import make_key
from tests.support.klaviyo_cli import run_keyguard
from tests.support.report_schema import REPORT_SCHEMA, check_report


def a_report(secret: Secret | None = None) -> Report:
    """Every record and every optional field, built by hand (no key unless *secret*)."""
    fp = fingerprint(secret.reveal()) if secret else "a" * 64
    history = Occurrence(
        "src/app.js",
        3,
        7,
        9,
        "js-escape",
        SourceLocation("../src/config.js", 2, 9),
        Provenance("/srv/shop", "b" * 40, "c" * 40, "2026-01-02T03:04:05+00:00", "Ann",
                   ("refs/heads/main", "refs/tags/v1"), at_head=True),
    )  # fmt: skip
    verdict = Verdict(KeyStatus.LIMITED, Account("Shop42", "Shop42", False), "403: no scope")
    return Report(
        (
            ReportFinding(fp, "pk_…abcd", (history, Occurrence("a.txt", 1, 1, 1)), secret=secret,
                          verdict=verdict),
            ReportFinding("d" * 64, "pk_…dddd", (Occurrence("b.txt", 2, 1, 1),)),
        ),
        (ScanIssue("gone", "cannot read: No such file or directory"),),
        Stats(files=3, bytes=100, binary=1, suppressed=2, blobs=10, cached_blobs=4),
        (ScanIssue("shop", "shallow clone: history is incomplete"),),
        (Target("/srv/shop", "repository", 10, 3, 100, 2, 0),),
        Shard(1, 3).record(["/srv/shop", "/srv/blog"]),
    )  # fmt: skip


@pytest.mark.parametrize("secret", [None, Secret(make_key("model-roundtrip"))])
def test_every_record_round_trips_and_the_schema_accepts_it(secret: Secret | None) -> None:
    report = a_report(secret)
    document = report.to_json()
    assert document["schema_version"] == SCHEMA_VERSION
    back = Report.from_json(json.loads(json.dumps(document)))
    assert back == report
    assert [f.secret for f in back.findings] == [secret, None]
    check_report(report.dumps())


def test_a_scan_report_and_a_sweep_report_round_trip(tmp_path: Path) -> None:
    corners = build_corners(tmp_path / "shop")
    swept = Report.of_sweep(sweep_many([str(corners.repo), str(tmp_path / "gone")], SweepOptions()))
    scanned = Report.of_scan(scan_paths([corners.repo]), show_secrets=True)
    for report in (swept, scanned):
        assert Report.from_json(json.loads(report.dumps())) == report
        check_report(report.dumps())
    assert scanned.warnings is None  # a scan's report has no sweep parts
    assert "warnings" not in scanned.to_json()
    assert all(f.secret is None for f in swept.findings)  # no --show-secrets: no key
    assert {f.secret.reveal() for f in scanned.findings if f.secret} <= set(corners.keys.values())


def test_the_schema_names_the_one_vocabulary_and_version() -> None:
    defs = REPORT_SCHEMA["$defs"]
    assert defs["status"]["enum"] == [s.value for s in KeyStatus]
    assert REPORT_SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(extra=1),
        lambda d: d["findings"][0].update(status="dead"),
        lambda d: d["findings"][0]["occurrences"][0].update(line=0),
        lambda d: d["findings"][0]["occurrences"][0].pop("commit"),  # half a provenance
        lambda d: d["findings"][0].update(occurrences=[]),
        lambda d: d["stats"].pop("files"),
        lambda d: d.update(schema_version=2),
    ],
)
def test_the_schema_refuses_what_keyguard_never_writes(spoil: Any) -> None:
    document = a_report().to_json()
    spoil(document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_reports_written_before_schema_version_and_by_hand_are_read() -> None:
    digest = "e" * 64
    report = Report.from_json({"findings": [{"fingerprint": digest, "redacted": "pk_…eeee"}]})
    (finding,) = report.findings
    assert (finding.fingerprint, finding.status, finding.occurrences) == (
        digest,
        KeyStatus.UNVERIFIED,
        (),
    )
    # What merges wrote before: a redacted form in "secret" is a finding without its key.
    redacted = {"fingerprint": digest, "redacted": "pk_…eeee", "secret": "pk_…eeee"}
    assert Report.from_json({"findings": [redacted]}).findings[0].secret is None


def _write(tmp_path: Path, document: object, name: str = "report.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


KEY = make_key("model-malformed")


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ({"runs": []}, "is not a keyguard JSON report (no findings list)"),
        ([1, 2], "is not a keyguard JSON report (no findings list)"),
        ({"schema_version": 99, "findings": []}, "schema_version 99; this keyguard reads up to"),
        ({"schema_version": "1", "findings": []}, "(schema_version must be an integer)"),
        ({"findings": [7]}, "(findings[0] must be an object)"),
        ({"findings": [{"fingerprint": KEY}]}, "(findings[0].fingerprint must be 64 lowercase"),
        (
            {"findings": [{"fingerprint": "f" * 64, "redacted": "x", "secret": KEY}]},
            "(findings[0].secret is not the key its fingerprint names)",
        ),
        (
            {"findings": [{"fingerprint": "f" * 64, "redacted": "x", "status": KEY}]},
            "(findings[0].status must be one of live, limited, unknown, unverified, revoked)",
        ),
        (
            {"findings": [], "errors": [{"path": "a", "message": 3}]},
            "(errors[0].message must be a string)",
        ),
        ({"findings": [], "stats": {"files": True}}, "(stats.files must be an integer)"),
        ({"findings": [], "shard": {"index": 0}}, "(shard.count must be an integer)"),
    ],
)
def test_what_is_not_a_report_of_ours_says_which_field(
    tmp_path: Path, document: object, said: str
) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(ReportError) as caught:
        load(path)
    message = str(caught.value)
    assert said in message
    assert message.startswith(str(path))
    assert "\n" not in message
    assert KEY not in message
    assert KEY[3:] not in message


def test_unreadable_and_not_json(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="cannot read report"):
        load(tmp_path / "missing.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe" + KEY.encode())
    (tmp_path / "text.json").write_text(f"{{ KEY: {KEY}\n")
    for name in ("bin.json", "text.json"):
        with pytest.raises(ReportError, match="is not JSON") as caught:
            load(tmp_path / name)
        assert KEY not in str(caught.value)


def test_the_commands_that_read_reports_say_so_in_one_line(tmp_path: Path) -> None:
    _write(tmp_path, {"schema_version": SCHEMA_VERSION + 1, "findings": []}, "newer.json")
    bad = {"findings": [{"fingerprint": "f" * 64, "redacted": "x", "status": KEY}]}
    _write(tmp_path, bad, "bad.json")
    said = {"newer.json": "upgrade keyguard", "bad.json": "findings[0].status must be one of"}
    for name, words in said.items():
        for args in (("merge", name), ("verify", "--from-report", name)):
            proc = run_keyguard(*args, cwd=tmp_path)
            assert proc.returncode == 2, proc.stderr
            assert proc.stderr.count("\n") == 1
            assert proc.stderr.startswith(f"keyguard: error: {name} ")
            assert words in proc.stderr
            assert "Traceback" not in proc.stderr
            assert KEY not in proc.stderr
            assert proc.stdout == ""


def test_fields_tell_a_boolean_from_an_integer() -> None:
    fields = Fields({"n": True, "b": 1}, "x")
    with pytest.raises(ReportError, match=r"x\.n must be an integer"):
        fields.integer("n")
    with pytest.raises(ReportError, match=r"x\.b must be true or false"):
        fields.flag("b")
