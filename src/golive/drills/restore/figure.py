"""The drill's timeline as inline SVG: phases as bars, the disaster and recovery marks, and
the RTO and RPO spans. Pure function from numbers to SVG text; no fonts, scripts or links."""

from __future__ import annotations

from html import escape

from golive.drills.restore.timeline import Timeline

COLORS = {"passed": "#2e7d32", "failed": "#c62828", "running": "#9e9e9e"}
MARK_COLORS = {
    "disaster": "#c62828",
    "recovery point": "#1565c0",
    "recovered": "#6a1b9a",
    "canary passed": "#2e7d32",
}


def timeline_svg(
    timeline: Timeline,
    *,
    title: str,
    rto: tuple[float, float] | None = None,
    rpo: tuple[float, float] | None = None,
    width: int = 760,
) -> str:
    """Bars per phase; ``rto``/``rpo`` are (start, end) in seconds since the epoch."""
    t0 = timeline.started
    ends = [p.end or p.start for p in timeline.phases] + list(timeline.marks.values())
    span = max([e - t0 for e in ends] + [0.001])
    left, top, row_h = 190, 30, 18
    rows = len(timeline.phases)
    spans = [s for s in (("RTO", rto), ("RPO", rpo)) if s[1] is not None]
    height = top + row_h * (rows + len(spans)) + 20 + 13 * len(timeline.marks)
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
    for i, p in enumerate(timeline.phases):
        y = top + i * row_h
        w = max(1.5, x(p.end or p.start) - x(p.start))
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(p.name)}</text>')
        out.append(
            f'<rect x="{x(p.start):.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{COLORS.get(p.outcome, "#607d8b")}"><title>{escape(p.name)}: '
            f"{escape(p.outcome)}, {p.seconds:.2f} s</title></rect>"
        )
    for j, (label, pair) in enumerate(spans):
        assert pair is not None
        y = top + (rows + j) * row_h
        a, b = pair
        out.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end" font-weight="bold">'
            f"{label} {b - a:.1f} s</text>"
        )
        out.append(
            f'<line x1="{x(a):.1f}" y1="{y + 9}" x2="{max(x(b), x(a) + 1.5):.1f}" y2="{y + 9}" '
            'stroke="#000" stroke-width="3"/>'
        )
    bottom = top + (rows + len(spans)) * row_h
    for k, (name, at) in enumerate(sorted(timeline.marks.items(), key=lambda kv: kv[1])):
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
