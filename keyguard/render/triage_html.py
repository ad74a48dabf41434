"""``keyguard triage --format html``: one self-contained page for an incident.

No script, no font, no image or style from anywhere else: the page's own Content
Security Policy forbids every fetch, so opening it sends nothing anywhere. A table of the
keys, coloured by verdict, and the timeline as inline SVG.
"""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

from keyguard.render.triage_console import kind_label, summary
from keyguard.render.triage_purge import plan_html
from keyguard.render.triage_timeline import svg
from keyguard.triage.model import KeyTriage, Kind, Triage
from keyguard.triage.purge import PurgePlan
from plugins.pattern import short_fingerprint

#: Every fetch forbidden; only the page's own inline style applies.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'"

KIND_COLOUR = {
    Kind.RETIRED_LIVE: "#8b0000",
    Kind.LIVE_CURRENT: "#c62828",
    Kind.LIVE_ROTATING: "#d84315",
    Kind.LIVE_OLD_VERSION: "#c62828",
    Kind.LIVE_UNSTORED: "#c62828",
    Kind.UNCHECKED_CURRENT: "#b7791f",
    Kind.UNCHECKED: "#b7791f",
    Kind.REVOKED_CURRENT: "#6a1b9a",
    Kind.RETIRED_PRESENT: "#6a1b9a",
    Kind.REVOKED_PRESENT: "#6a1b9a",
    Kind.RETIRED_HISTORY: "#2e7d32",
    Kind.REVOKED_HISTORY: "#2e7d32",
}

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #e5e5e5;
  vertical-align: top; }
th { background: #f6f6f6; } code { font-family: ui-monospace, monospace; }
.kind { color: #fff; font-weight: 600; white-space: nowrap; padding: .1em .45em;
  border-radius: 3px; font-size: .85em; }
.notes li { color: #8a5a00; } .timeline text { font: 11px ui-monospace, monospace; }
.timeline .tick { fill: #666; } .warning { color: #8a5a00; }
pre { background: #f6f6f6; padding: .6em; overflow-x: auto; }
.small { color: #666; font-size: .9em; }
"""


def _shown(k: KeyTriage, show_secrets: bool) -> str:
    return k.secret.reveal() if show_secrets and k.secret is not None else k.redacted


def _where(k: KeyTriage) -> str:
    e = k.exposure
    bits = []
    if e.at_head:
        bits.append("at HEAD")
    if e.in_worktree:
        bits.append("in a work tree")
    if e.sites:
        bits.append("on a site")
    if e.pull_refs:
        bits.append(f"{len(e.pull_refs)} pull-request ref(s)")
    if e.first_committed:
        bits.append(f"first committed {e.first_committed[:10]}")
    return ", ".join(bits) or "history only"


def _row(k: KeyTriage, show_secrets: bool) -> str:
    colour = KIND_COLOUR[k.kind]
    vault = "<br>".join(
        escape(f"{v.target} v{v.version}" + (" (current)" if v.current else "")) for v in k.vault
    )
    rotation = ""
    if k.rotation is not None:
        r = k.rotation
        rotation = escape(f"{r.rotation_id} of {r.target} ({r.state})")
    return (
        f'<tr class="key" data-kind="{k.kind.value}" data-fingerprint="{k.fingerprint}">'
        f'<td><span class="kind" style="background:{colour}">{kind_label(k.kind)}</span></td>'
        f"<td><code>{escape(_shown(k, show_secrets))}</code><br>"
        f'<code class="small">{short_fingerprint(k.fingerprint)}</code></td>'
        f"<td>{escape(k.status.status.value)}</td>"
        f"<td>{escape(k.verdict)}</td>"
        f"<td><code>{escape(k.next)}</code></td>"
        f'<td class="small">{escape(_where(k))}</td>'
        f'<td class="small">{vault or "none"}</td>'
        f'<td class="small">{rotation}</td>'
        "</tr>"
    )


def render(
    triage: Triage,
    *,
    show_secrets: bool = False,
    plan: PurgePlan | None = None,
    now: datetime | None = None,
) -> str:
    moment = now or datetime.now(timezone.utc)
    labels = [_shown(k, show_secrets) for k in triage.keys]
    colours = [KIND_COLOUR[k.kind] for k in triage.keys]
    rows = "".join(_row(k, show_secrets) for k in triage.keys)
    notes = "".join(f"<li>{escape(n.text)}</li>" for n in triage.notes)
    header = "".join(
        f"<th>{h}</th>"
        for h in ("verdict", "key", "status", "what it means", "next", "where", "vault", "rotation")
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>Klaviyo key triage {escape(triage.generated_at)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Klaviyo key triage</h1><p>{escape(summary(triage))}. "
        f"Generated {escape(triage.generated_at)}.</p>"
        f'<table id="keys"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>'
        "<h2>Timeline</h2>"
        + (svg(triage, labels, colours, moment) if triage.keys else "<p>No keys.</p>")
        + (plan_html(plan) if plan is not None else "")
        + (f'<h2>Notes</h2><ul class="notes">{notes}</ul>' if notes else "")
        + "</body></html>\n"
    )
