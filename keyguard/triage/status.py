"""Each key's status: the report's answer when it was written with ``--verify``, else
Klaviyo's now, one request per key (the verifier's rate-limit rules), asked with the key
got back from where the report saw it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from keyguard.triage.model import Source, Status
from plugins.client.responses import KeyCheck
from plugins.key_status import KeyStatus
from plugins.pattern import Secret
from scanner.recover import Lost, Miss
from scanner.report.model import ReportFinding

Check = Callable[[Sequence[Secret]], Mapping[str, KeyCheck]]


def lost_reason(lost: Lost) -> str:
    if lost.miss is Miss.NO_PLACE:
        return "not checked: seen only on a site or standard input, where it cannot be read back"
    if lost.miss is Miss.GONE:
        return f"not checked: {lost.place} is not there any more to read its key from"
    return f"not checked: {lost.place} no longer holds it"


@dataclass(frozen=True)
class Statuses:
    by_fingerprint: Mapping[str, Status]
    secrets: Mapping[str, Secret]  # the keys got back, when they are to be shown


def decide(
    findings: Sequence[ReportFinding],
    *,
    recover: Callable[[ReportFinding], Secret | Lost],
    check: Check | None,
    recheck: Collection[str] = (),
    keep_secrets: bool = False,
) -> Statuses:
    """*check* None: verification is off. *recheck*: fingerprints whose answer in the report
    is not to be trusted (a key reported working that a rotation has since retired)."""
    out: dict[str, Status] = {}
    wanted: dict[str, Secret] = {}
    shown: dict[str, Secret] = {}
    for f in findings:
        fp, reported = f.fingerprint, f.verdict
        if (reported.status.answered and fp not in recheck) or check is None:
            out[fp] = Status(
                reported.status,
                Source.REPORT if reported.status.asked else Source.NONE,
                reported.reason or (None if check else "not checked (--no-verify)"),
                reported.account,
            )
            if not keep_secrets:
                continue
        got = recover(f)
        if isinstance(got, Lost):
            if fp not in out:
                # The report's answer, if it had one, stands: it is all there is.
                out[fp] = Status(
                    reported.status if reported.status.asked else KeyStatus.UNVERIFIED,
                    Source.REPORT if reported.status.asked else Source.NONE,
                    lost_reason(got),
                    reported.account,
                    unchecked=not reported.status.answered,
                )
            continue
        if keep_secrets:
            shown[fp] = got
        if fp not in out:
            wanted[fp] = got
    if wanted and check is not None:
        for fp, answer in check(list(wanted.values())).items():
            out[fp] = Status(
                answer.status,
                Source.KLAVIYO,
                answer.reason,
                answer.account,
                unchecked=not answer.status.answered,
            )
    wanted.clear()
    return Statuses(out, shown)
