"""A drill's journal as an inline SVG timeline: its activities as bars, its marks (the
disaster, the recovery point…) and its objectives' spans (RTO, RPO). Pure function from the
journal to SVG text; no fonts, scripts or links."""

from __future__ import annotations

from html import escape

from golive.drills.journal import Journal

COLORS = {True: "#2e7d32", False: "#c62828"}
MARK_COLORS = {
    "disaster": "#c62828",
    "recovery point": "#1565c0",
    "recovered": "#6a1b9a",
    "canary passed": "#2e7d32",
}


def timeline_svg(journal: Journal, *, width: int = 760) -> str:
    """A bar per activity, in the order they started; a line per objective measured."""
    t0, title, marks = journal.started_at, journal.title, journal.marks
    # in the order they started; one before the drill (the session's seeding) is drawn at 0
    acts = sorted(journal.activities, key=lambda a: a.started_at)
    ends = [a.started_at + a.seconds for a in acts] + list(marks.values())
    span = max([e - t0 for e in ends] + [0.001])
    left, top, row_h = 190, 30, 18
    rows = len(acts)
    spans = [(o.name, o.span) for o in journal.objectives if o.span is not None]
    height = top + row_h * (rows + len(spans)) + 20 + 13 * len(marks)
    plot_w = width - left - 20

    def x(at: float) -> float:
        return left + max(0.0, min(at - t0, span)) / span * plot_w

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}" font-family="sans-serif" '
        'font-size="11">',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)} '
        f"({span:.1f} s)</text>",
    ]
    for i, a in enumerate(acts):
        y = top + i * row_h
        w = max(1.5, x(a.started_at + a.seconds) - x(a.started_at))
        outcome = "passed" if a.ok else "failed"
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(a.name)}</text>')
        out.append(
            f'<rect x="{x(a.started_at):.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{COLORS[a.ok]}"><title>{escape(a.name)} ({a.kind.value}): '
            f"{outcome}, {a.seconds:.2f} s</title></rect>"
        )
    for j, (label, pair) in enumerate(spans):
        assert pair is not None
        y = top + (rows + j) * row_h
        since, until = pair
        out.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end" font-weight="bold">'
            f"{label} {until - since:.1f} s</text>"
        )
        out.append(
            f'<line x1="{x(since):.1f}" y1="{y + 9}" x2="{max(x(until), x(since) + 1.5):.1f}" '
            f'y2="{y + 9}" '
            'stroke="#000" stroke-width="3"/>'
        )
    bottom = top + (rows + len(spans)) * row_h
    for k, (name, at) in enumerate(sorted(marks.items(), key=lambda kv: kv[1])):
        color = MARK_COLORS.get(name, "#455a64")
        out.append(
            f'<line x1="{x(at):.1f}" y1="{top - 4}" x2="{x(at):.1f}" y2="{bottom + 4 + 13 * k}" '
            f'stroke="{color}" stroke-dasharray="4,3"/>'
        )
        late = x(at) > left + plot_w * 0.6  # labels on the right grow leftwards
        anchor, dx = ("end", -3) if late else ("start", 3)
        out.append(
            f'<text x="{x(at) + dx:.1f}" y="{bottom + 14 + 13 * k}" fill="{color}" '
            f'text-anchor="{anchor}">{escape(name)} {at - t0:.1f} s</text>'
        )
    out.append("</svg>")
    return "".join(out)
