"""``verify_findings``: the seam scan and sweep share, against the stand-in."""

from __future__ import annotations

from keyguard.rehearsal.klaviyo_standin import Fault, KeyState, KlaviyoStandin
from plugins.client.api import KlaviyoClient
from plugins.client.bulk_verify import Verifier
from plugins.pattern import Secret
from scanner.findings import Finding, Occurrence, group
from scanner.verify_findings import verify_findings
from tests.support.keys import make_key


def findings(*labels: str) -> tuple[Finding, ...]:
    pairs = [
        (Secret(make_key(label)), Occurrence(f"{label}.txt", line, 1, 1))
        for label in labels
        for line in (1, 2)
    ]
    return group(pairs)


def test_statuses_sorted_live_first_and_one_request_per_key(klaviyo: KlaviyoStandin) -> None:
    found = findings("f-revoked", "f-unknown", "f-limited", "f-live")
    klaviyo.add_key(make_key("f-live"))
    klaviyo.add_key(make_key("f-limited"), state=KeyState.LIMITED)
    klaviyo.add_key(make_key("f-unknown"))
    klaviyo.inject(Fault.error(503), times=None, fingerprint=found[1].fingerprint)
    with KlaviyoClient(klaviyo.url) as client:
        verified = verify_findings(found, Verifier(client, max_attempts=1))
    assert [f.status for f in verified] == ["live", "limited", "unknown", "revoked"]
    assert [len(f.occurrences) for f in verified] == [2, 2, 2, 2]
    assert verified[0].verdict.account is not None
    assert len(klaviyo.log) == 4


def test_only_live_keeps_live_and_limited(klaviyo: KlaviyoStandin) -> None:
    found = findings("o-live", "o-dead")
    klaviyo.add_key(make_key("o-live"))
    with KlaviyoClient(klaviyo.url) as client:
        verified = verify_findings(found, Verifier(client), only_live=True)
    assert [f.redacted for f in verified] == [Secret(make_key("o-live")).redacted]


def test_no_findings_no_requests(klaviyo: KlaviyoStandin) -> None:
    with KlaviyoClient(klaviyo.url) as client:
        assert verify_findings((), Verifier(client)) == ()
    assert len(klaviyo.log) == 0
