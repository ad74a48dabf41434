"""The triage's timeline as inline SVG: when each key was committed, seen again, rotated
and retired, one row per key, on one time axis ending now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape

from keyguard.triage.model import KeyTriage, Triage

ROW = 26
LEFT = 170
RIGHT = 24
TOP = 34
WIDTH = 960
#: Marker shapes per event, and their legend words.
EVENTS = ("committed", "seen", "rotated", "retired")


@dataclass(frozen=True)
class Mark:
    at: datetime
    event: str  # one of EVENTS


def _when(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def marks(k: KeyTriage) -> list[Mark]:
    out: list[Mark] = []
    dates = [d for d in (_when(x) for x in k.exposure.commit_dates) if d is not None]
    if dates:
        out.append(Mark(dates[0], "committed"))
        out += [Mark(d, "seen") for d in dates[1:]]
    r = k.rotation
    if r is not None:
        started = _when(r.started_at)
        if started is not None:
            out.append(Mark(started, "rotated"))
        retired = _when(r.retired_at) if r.retired else None
        if retired is not None:
            out.append(Mark(retired, "retired"))
    return out


def _shape(event: str, x: float, y: float, colour: str) -> str:
    if event == "committed":
        return f'<circle cx="{x:.1f}" cy="{y}" r="6" fill="{colour}"/>'
    if event == "seen":
        return f'<circle cx="{x:.1f}" cy="{y}" r="3.5" fill="none" stroke="{colour}"/>'
    if event == "rotated":
        return (
            f'<path d="M{x - 6:.1f},{y + 5} L{x:.1f},{y - 6} L{x + 6:.1f},{y + 5} Z" '
            f'fill="{colour}"/>'
        )
    return (
        f'<path d="M{x - 5:.1f},{y - 5} L{x + 5:.1f},{y + 5} M{x - 5:.1f},{y + 5} '
        f'L{x + 5:.1f},{y - 5}" stroke="{colour}" stroke-width="2.5"/>'
    )


def svg(triage: Triage, labels: Sequence[str], colours: Sequence[str], now: datetime) -> str:
    """One row per key (*labels*, *colours* in the order of ``triage.keys``)."""
    rows = [marks(k) for k in triage.keys]
    moments = [m.at for ms in rows for m in ms] + [now]
    start, end = min(moments), max(moments)
    if end - start < timedelta(days=1):
        start = end - timedelta(days=1)
    span = (end - start).total_seconds()
    height = TOP + ROW * len(rows) + 40

    def x_of(at: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (at - start).total_seconds() / span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="timeline" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">',
        "<title>When each key was committed, seen, rotated and retired</title>",
    ]
    tick = "%Y-%m-%d" if end - start > timedelta(days=4) else "%m-%d %H:%M"
    for i in range(5):
        at = start + (end - start) * i / 4
        x = x_of(at)
        anchor = ("start", "middle", "middle", "middle", "end")[i]
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP - 14}" x2="{x:.1f}" y2="{height - 36}" '
            'stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{TOP - 18}" text-anchor="{anchor}" class="tick">'
            f"{at.strftime(tick)}</text>"
        )
    now_x = x_of(now)
    parts.append(
        f'<line x1="{now_x:.1f}" y1="{TOP - 14}" x2="{now_x:.1f}" y2="{height - 36}" '
        'stroke="#888" stroke-dasharray="4 3"/>'
    )
    for row, (ms, label, colour) in enumerate(zip(rows, labels, colours, strict=True)):
        y = TOP + ROW * row + ROW // 2
        parts.append(
            f'<text x="{LEFT - 10}" y="{y + 4}" text-anchor="end" class="label">'
            f"{escape(label)}</text>"
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#f0f0f0"/>'
        )
        for m in sorted(ms, key=lambda m: m.at):
            shape = _shape(m.event, x_of(m.at), y, colour)
            parts.append(
                f'<g class="mark {m.event}"><title>{m.event} {m.at:%Y-%m-%d %H:%M}'
                f"</title>{shape}</g>"
            )
    legend_y = height - 14
    for i, event in enumerate(EVENTS):
        x = LEFT + i * 120
        parts.append(
            _shape(event, x, legend_y - 4, "#444")
            + f'<text x="{x + 12}" y="{legend_y}" class="tick">{event}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
