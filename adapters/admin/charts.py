"""Charts drawn on the server as inline SVG: no script, no CDN, and the page's CSP allows them (only
presentation attributes, no inline style). Each chart is a picture with a title; the numbers are
in the text table the template puts beside it, which is what a screen reader reads."""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 56
COLOURS = ("#1f5fa8", "#b3471d", "#2e7d32", "#7b3fa0", "#8a6d00", "#00737a", "#a3214f", "#4d4d4d")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")
Value = float | int | None


def _nice(top: float) -> float:
    """A round upper bound for the axis (1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return 1.0
    step = 10 ** len(str(int(top))) / 100 if top >= 1 else 0.1
    for factor in (1, 2, 5, 10, 20, 50, 100):
        if step * factor >= top:
            return float(step * factor)
    return float(top)


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def line_chart(chart_id: str, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Value]]],
               *, percent: bool = False, marker: str | None = None) -> Markup:
    """Lines over periods, broken where a figure is withheld; `marker` draws a rule at one label."""
    top = 1.0 if percent else _nice(max([v for _, values in series for v in values if v is not None], default=0))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(labels) - 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(labels) > 1 else inner_w / 2)

    def y(v: float) -> float:
        return TOP + inner_h - inner_h * (v / top)

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-title">',
             f'<title id="{chart_id}-title">{escape(title)}</title>']
    for tick in range(5):
        v = top * tick / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#d0d0d0"/>'
                     f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="12" fill="#333">'
                     f'{_number(v, percent)}</text>')
    every = max(1, -(-len(labels) // 8))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="12" '
                         f'fill="#333">{escape(label)}</text>')
    if marker is not None and marker in labels:
        at = x(list(labels).index(marker))
        parts.append(f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" y2="{TOP + inner_h}" stroke="#000" '
                     f'stroke-dasharray="3 3"/>')
    for n, (_, values) in enumerate(series):
        colour, dash = COLOURS[n % len(COLOURS)], _dash(n)
        for run in _runs(values):
            points = " ".join(f"{x(i):.1f},{y(float(v)):.1f}" for i, v in run)
            if len(run) == 1:
                parts.append(f'<circle cx="{x(run[0][0]):.1f}" cy="{y(float(run[0][1])):.1f}" r="3.5" fill="{colour}"/>')
            else:
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
    parts += _legend([name for name, _ in series])
    parts.append("</svg>")
    return Markup("".join(parts))


def _dash(n: int) -> str:
    """Lines differ by dash as well as colour, for readers who can't tell the colours apart."""
    dash = DASHES[n % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""


def _runs(values: Sequence[Value]) -> list[list[tuple[int, float]]]:
    """The unbroken stretches of shown figures."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((i, float(v)))
    return [r for r in runs if r]


def _legend(names: list[str]) -> list[str]:
    found, column = [], (WIDTH - LEFT) // 2
    for n, name in enumerate(names):
        left, row = LEFT + (n % 2) * column, HEIGHT - BOTTOM + 34 + (n // 2) * 14
        found.append(f'<line x1="{left}" x2="{left + 20}" y1="{row - 4}" y2="{row - 4}" '
                     f'stroke="{COLOURS[n % len(COLOURS)]}" stroke-width="2.5"{_dash(n)}/>'
                     f'<text x="{left + 26}" y="{row}" font-size="12" fill="#333">{escape(name)}</text>')
    return found


def bar_chart(chart_id: str, title: str, bars: Sequence[tuple[str, Value]]) -> Markup:
    """Horizontal bars, largest first as given; a withheld bar is left out (the table says why)."""
    shown = [(label, float(v)) for label, v in bars if v is not None]
    row, label_w = 28, 150
    height = TOP + row * max(1, len(shown)) + 8
    top = max([v for _, v in shown], default=0) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title">',
             f'<title id="{chart_id}-title">{escape(title)}</title>']
    for n, (label, value) in enumerate(shown):
        y = TOP + n * row
        width = (WIDTH - label_w - 70) * value / top
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="#222">'
                     f'{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row - 10}" fill="{COLOURS[0]}"/>'
                     f'<text x="{label_w + width + 6:.1f}" y="{y + 17}" font-size="13" fill="#222">'
                     f'{_number(value, False)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
