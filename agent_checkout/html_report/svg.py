"""Inline SVG charts drawn from numbers alone: bars, intervals and lines, sized in pixels so
they render the same in any browser with no script or stylesheet fetched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from json import dumps

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 110
ROW = 22
PALETTE = ("#2b6cb0", "#dd6b20", "#2f855a", "#c53030", "#6b46c1", "#b7791f", "#319795")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (exactly as in the file ``key`` points into), its text."""

    label: str
    value: float
    text: str
    key: str


@dataclass(frozen=True)
class Interval:
    """A mean and its 95% interval, for one variant of a figure."""

    label: str
    mean: float
    low: float
    high: float
    text: str
    key: str


def _svg(height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>'
    )


def _tag(key: str, value: float) -> str:
    """The data attributes saying where a drawn value came from, and its exact value."""
    return f'data-key="{escape(key)}" data-value="{escape(dumps(value))}"'


def _span(values: Sequence[float]) -> tuple[float, float]:
    """The axis range: always includes 0, never empty."""
    low, high = min(0.0, *values), max(0.0, *values)
    return (low, high) if high > low else (low, low + 1.0)


def bar_chart(title: str, bars: Sequence[Bar]) -> str:
    """Horizontal bars from a zero line (negative values go left), each labelled with its text."""
    if not bars:
        return ""
    low, high = _span([b.value for b in bars])
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    scale = plot / (high - low)
    zero = LABEL_WIDTH + (0 - low) * scale
    rows = []
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        x = zero + min(0.0, bar.value) * scale
        width = max(1.0, abs(bar.value) * scale)
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(bar.label)}'
            f'</text><rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" '
            f'fill="{PALETTE[0] if bar.value >= 0 else PALETTE[3]}" {_tag(bar.key, bar.value)}>'
            f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>"
            f'<text x="{WIDTH - VALUE_WIDTH + 6}" y="{y + 15}">{escape(bar.text)}</text>'
        )
    axis = (
        f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{8 + len(bars) * ROW}" stroke="#888"/>'
    )
    return _svg(8 + len(bars) * ROW, "".join(rows) + axis, title)


def interval_chart(title: str, intervals: Sequence[Interval]) -> str:
    """Each variant's mean as a dot with its 95% interval as a whisker, on one shared axis."""
    if not intervals:
        return ""
    low, high = _span([v for i in intervals for v in (i.low, i.high)])
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20
    scale = plot / (high - low)

    def at(value: float) -> float:
        return LABEL_WIDTH + 10 + (value - low) * scale

    rows = []
    for n, item in enumerate(intervals):
        y = 4 + n * ROW + ROW / 2
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 5}" text-anchor="end">{escape(item.label)}'
            f'</text><line x1="{at(item.low):.1f}" y1="{y}" x2="{at(item.high):.1f}" y2="{y}" '
            f'stroke="{PALETTE[n % len(PALETTE)]}" stroke-width="2"/>'
            f'<circle cx="{at(item.mean):.1f}" cy="{y}" r="5" '
            f'fill="{PALETTE[n % len(PALETTE)]}" {_tag(item.key, item.mean)}>'
            f"<title>{escape(item.label)}: {escape(item.text)}</title></circle>"
            f'<text x="{WIDTH - VALUE_WIDTH + 6}" y="{y + 5}">{escape(item.text)}</text>'
        )
    height = 8 + len(intervals) * ROW
    zero = f'<line x1="{at(0):.1f}" y1="0" x2="{at(0):.1f}" y2="{height}" stroke="#bbb"/>'
    return _svg(height, zero + "".join(rows), title)


def line_chart(
    title: str, xs: Sequence[float], series: dict[str, Sequence[float]], x_label: str
) -> str:
    """One polyline per series over a shared x axis, with the y range and a legend."""
    if not xs or not series:
        return ""
    height, left, right, top, bottom = 200, 60, 20, 24, 36
    values = [v for ys in series.values() for v in ys]
    y_low, y_high = _span(values)
    x_low, x_high = min(xs), max(xs)
    x_span = (x_high - x_low) or 1.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom

    def point(x: float, y: float) -> str:
        px = left + (x - x_low) / x_span * plot_w
        py = top + plot_h - (y - y_low) / (y_high - y_low) * plot_h
        return f"{px:.1f},{py:.1f}"

    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - right}" y2="{top + plot_h}" '
        f'stroke="#888"/><line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" '
        f'stroke="#888"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{_short(y_high)}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">{_short(y_low)}</text>',
        f'<text x="{left}" y="{height - 8}">{_short(x_low)}</text>',
        f'<text x="{WIDTH - right}" y="{height - 8}" text-anchor="end">{_short(x_high)} '
        f"{escape(x_label)}</text>",
    ]
    for n, (name, ys) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(point(x, y) for x, y in zip(xs, ys, strict=True))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5">'
            f"<title>{escape(name)}</title></polyline>"
            f'<text x="{left + 8 + n * 130}" y="14" fill="{colour}">{escape(name)}</text>'
        )
    return _svg(height, "".join(parts), title)


def _short(value: float) -> str:
    """An axis label: whole numbers plainly, others to three significant figures."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"
