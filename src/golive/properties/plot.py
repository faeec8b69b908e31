"""Inline SVG of the bank workload's total over time (no scripts, fonts or external files)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from golive.properties.checker import TotalPoint

OK_COLOR, BAD_COLOR, BAND_COLOR, FINAL_COLOR = "#1565c0", "#c62828", "#bbdefb", "#2e7d32"


def total_over_time_svg(
    points: Sequence[TotalPoint], *, currency: str, width: int = 720, height: int = 320
) -> str:
    """Each snapshot's total (dots; red when anomalous) inside the band of totals the
    operations in flight allow (shaded); the final total as a green diamond."""
    left, right, top, bottom = 80, 20, 30, 40
    title = f"Money in the workload's accounts over time ({escape(currency)}, minor units)"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="total over time">'
        f'<text x="{left}" y="18" font-size="13" font-family="sans-serif">{title}</text>'
    )
    if not points:
        return head + f'<text x="{left}" y="{height // 2}" font-size="12">no snapshots</text></svg>'
    t_max = max(p.at for p in points) or 1.0
    values = [v for p in points for v in (p.total, p.low, p.high)]
    v_lo, v_hi = min(values), max(values)
    pad = max(1, (v_hi - v_lo) // 10)
    v_lo, v_hi = v_lo - pad, v_hi + pad
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: float) -> float:
        return left + t / t_max * plot_w

    def y(v: float) -> float:
        return top + (v_hi - v) / (v_hi - v_lo) * plot_h

    parts = [
        head,
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" '
        'fill="none" stroke="#9e9e9e"/>',
    ]
    ordered = sorted(points, key=lambda p: p.at)
    band = [f"{x(p.at):.1f},{y(p.high):.1f}" for p in ordered]
    band += [f"{x(p.at):.1f},{y(p.low):.1f}" for p in reversed(ordered)]
    parts.append(f'<polygon points="{" ".join(band)}" fill="{BAND_COLOR}" opacity="0.7"/>')
    for v in (v_lo + pad, v_hi - pad):
        parts.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" font-size="11" '
            f'text-anchor="end" font-family="sans-serif">{v}</text>'
        )
    for p in ordered:
        color = BAD_COLOR if p.anomalous else OK_COLOR
        cx, cy = x(p.at), y(p.total)
        if p.final:
            parts.append(
                f'<polygon points="{cx:.1f},{cy - 6:.1f} {cx + 6:.1f},{cy:.1f} '
                f'{cx:.1f},{cy + 6:.1f} {cx - 6:.1f},{cy:.1f}" '
                f'fill="{BAD_COLOR if p.anomalous else FINAL_COLOR}"/>'
            )
        else:
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.5" fill="{color}"/>')
    axis_y = top + plot_h + 16
    parts.append(
        f'<text x="{left}" y="{axis_y}" font-size="11" font-family="sans-serif">0 s</text>'
    )
    parts.append(
        f'<text x="{left + plot_w}" y="{axis_y}" font-size="11" text-anchor="end" '
        f'font-family="sans-serif">{t_max:.1f} s</text>'
    )
    bad = sum(p.anomalous for p in points)
    legend = (
        f"{len(points)} snapshots, {bad} anomalous (red); shaded: totals the operations "
        "in flight allow"
    )
    parts.append(
        f'<text x="{left}" y="{height - 6}" font-size="11" '
        f'font-family="sans-serif">{escape(legend)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
