"""A small server-side chart as inline SVG (pure, no scripts): one stacked bar per day,
on time / late / skipped / missed from the bottom up, for the doctor's report.

Every text in it is escaped; the drawing uses only rect, line and text elements, so
WeasyPrint renders it in the PDF and any browser in the page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

# On time, late, skipped, missed: colour-blind-safe (Okabe-Ito) and distinct in grey.
COLORS: Final = ("#009E73", "#E69F00", "#56B4E9", "#D55E00")
BAR: Final = 12  # px per day
GAP: Final = 3
HEIGHT: Final = 90  # px of the tallest bar
LEFT: Final = 26  # room for the scale
BOTTOM: Final = 18  # room for the dates


@dataclass(frozen=True)
class DayCounts:
    day: date
    on_time: int = 0
    late: int = 0
    skipped: int = 0
    missed: int = 0

    @property
    def parts(self) -> tuple[int, int, int, int]:
        return (self.on_time, self.late, self.skipped, self.missed)

    @property
    def total(self) -> int:
        return sum(self.parts)


def day_bars(days: Sequence[DayCounts], *, label: str) -> str:
    """One stacked bar per day; `label` names the chart for screen readers."""
    top = max((d.total for d in days), default=0) or 1
    scale = HEIGHT / top
    width = LEFT + len(days) * (BAR + GAP) + GAP
    height = HEIGHT + BOTTOM + 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(label)}">',
           f'<line x1="{LEFT}" y1="{HEIGHT + 2}" x2="{width}" y2="{HEIGHT + 2}" '
           'stroke="#999" stroke-width="1"/>',
           _text(LEFT - 4, 10, str(top), anchor="end"),
           _text(LEFT - 4, HEIGHT + 2, "0", anchor="end")]
    for n, day in enumerate(days):
        x = LEFT + GAP + n * (BAR + GAP)
        y = float(HEIGHT + 2)
        for count, color in zip(day.parts, COLORS, strict=True):
            if count:
                h = count * scale
                y -= h
                out.append(f'<rect x="{x}" y="{y:.1f}" width="{BAR}" height="{h:.1f}" '
                           f'fill="{color}"/>')
        last = len(days) - 1
        if n in (0, last) or (n % 7 == 0 and last - n >= 4):  # a date a week, apart
            out.append(_text(x + BAR / 2, HEIGHT + BOTTOM, day.day.strftime("%m-%d"),
                             anchor="middle"))
    out.append("</svg>")
    return "".join(out)


def swatch(color: str) -> str:
    """A legend's colour square, as inline SVG."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            f'<rect width="10" height="10" fill="{_esc(color)}"/></svg>')


def _text(x: float, y: float, text: str, *, anchor: str) -> str:
    return (f'<text x="{x:.1f}" y="{y}" font-size="9" fill="#444" '
            f'text-anchor="{anchor}">{_esc(text)}</text>')


def _esc(text: str) -> str:
    return html.escape(text, quote=True)
