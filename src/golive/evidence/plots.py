"""Inline SVG plots for report.html: latency distribution and run timeline.

Pure functions from numbers to SVG text; no external fonts, scripts or images.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

COLORS = {
    "passed": "#2e7d32",
    "failed": "#c62828",
    "error": "#ad1457",
    "interrupted": "#ad1457",
    "skipped": "#9e9e9e",
    "xfailed": "#9e9e9e",
    "not run": "#6d4c41",
}
PEER_COLORS = ("#1565c0", "#ef6c00", "#6a1b9a", "#00838f")


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _fmt_ms(ms: float) -> str:
    return f"{ms:.0f} ms" if ms >= 10 else f"{ms:.1f} ms"


def latency_histogram(by_peer: dict[str, list[float]], *, width: int = 720) -> str:
    """One histogram row per peer (log-spaced bins), with p50/p95/p99 marks."""
    peers = [p for p in sorted(by_peer) if by_peer[p]]
    if not peers:
        return ""
    row_h, top, left, bins = 110, 24, 90, 30
    height = top + row_h * len(peers) + 30
    lo = max(0.01, min(min(v) for v in by_peer.values() if v))
    hi = max(max(v) for v in by_peer.values() if v)
    hi = max(hi, lo * 1.01)
    llo, lhi = math.log10(lo), math.log10(hi)
    plot_w = width - left - 20

    def x_of(ms: float) -> float:
        return left + (math.log10(max(ms, lo)) - llo) / (lhi - llo) * plot_w

    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="latency distribution">',
        f'<text x="{left}" y="14" class="t">HTTP latency per peer (log scale)</text>',
    ]
    for i, peer in enumerate(peers):
        values = by_peer[peer]
        color = PEER_COLORS[i % len(PEER_COLORS)]
        base = top + row_h * (i + 1) - 10
        counts = [0] * bins
        for v in values:
            k = int((math.log10(max(v, lo)) - llo) / (lhi - llo) * bins)
            counts[min(max(k, 0), bins - 1)] += 1
        peak = max(counts) or 1
        bar_w = plot_w / bins
        for k, c in enumerate(counts):
            if c:
                h = (row_h - 30) * c / peak
                parts.append(
                    f'<rect x="{left + k * bar_w:.1f}" y="{base - h:.1f}" '
                    f'width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{color}"/>'
                )
        parts.append(
            f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{base - 30}" text-anchor="end" class="l">'
            f"{escape(peer)}</text>"
        )
        parts.append(
            f'<text x="{left - 8}" y="{base - 16}" text-anchor="end" class="s">'
            f"n={len(values)}</text>"
        )
        for n, (q, dash) in enumerate(((50, "2,2"), (95, "5,3"), (99, ""))):
            p = percentile(values, q)
            x = x_of(p)
            y = base - row_h + 40 + n * 12
            anchor = "end" if x > left + plot_w * 0.75 else "start"
            dx = -3 if anchor == "end" else 3
            parts.append(
                f'<line x1="{x:.1f}" y1="{base - row_h + 30}" x2="{x:.1f}" y2="{base}" '
                f'stroke="#000" stroke-dasharray="{dash}"/>'
            )
            parts.append(
                f'<text x="{x + dx:.1f}" y="{y}" text-anchor="{anchor}" class="s">'
                f"p{q} {_fmt_ms(p)}</text>"
            )
    axis_y = top + row_h * len(peers) + 6
    for tick in _log_ticks(lo, hi):
        x = x_of(tick)
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y + 10}" text-anchor="middle" class="s">'
            f"{_fmt_ms(tick)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _log_ticks(lo: float, hi: float) -> list[float]:
    ticks = []
    exp = math.floor(math.log10(lo))
    while 10**exp <= hi * 1.0001:
        for m in (1, 2, 5):
            t = m * 10**exp
            if lo <= t <= hi:
                ticks.append(float(t))
        exp += 1
    return ticks or [lo, hi]


def timeline(
    rows: Sequence[tuple[str, float, float, str]], *, width: int = 720, limit: int = 150
) -> str:
    """Gantt bars (label, start_s, end_s, outcome) relative to the run start."""
    if not rows:
        return ""
    shown = list(rows[:limit])
    left, top, row_h = 230, 24, 14
    span = max(max(end for _, _, end, _ in shown), 0.001)
    height = top + row_h * len(shown) + 28
    plot_w = width - left - 20
    parts = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="run timeline">',
        f'<text x="{left}" y="14" class="t">Run timeline ({span:.1f} s)</text>',
    ]
    for i, (label, start, end, outcome) in enumerate(shown):
        y = top + i * row_h
        x = left + start / span * plot_w
        w = max(1.5, (end - start) / span * plot_w)
        short = label if len(label) <= 38 else label[:37] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + 10}" text-anchor="end" class="s">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" '
            f'fill="{COLORS.get(outcome, "#607d8b")}"><title>{escape(label)}: '
            f"{escape(outcome)}, {end - start:.2f} s</title></rect>"
        )
    axis_y = top + row_h * len(shown) + 4
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" stroke="#555"/>'
    )
    for k in range(5):
        t = span * k / 4
        parts.append(
            f'<text x="{left + plot_w * k / 4:.1f}" y="{axis_y + 14}" '
            f'text-anchor="middle" class="s">{t:.1f} s</text>'
        )
    if len(rows) > limit:
        parts.append(
            f'<text x="{left}" y="{height - 2}" class="s">first {limit} of '
            f"{len(rows)} tests shown</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
