"""The doctor's report as one self-contained HTML page (pure): no scripts, no remote
resources, every text escaped, the charts inline SVG (svg.py). WeasyPrint makes the PDF
of it with the handouts' fonts (Noto Sans CJK covers Han, Latin and Cyrillic)."""

from __future__ import annotations

import html
from typing import Final

from shared.domain.i18n import t
from shared.features.education.leaflets import HANDOUT_FONTS
from shared.features.supply.report_model import MedicineReport, Report
from shared.features.supply.svg import COLORS, day_bars, swatch

_DEFAULT_FONTS: Final = '"Noto Sans CJK TC", "Noto Sans", "DejaVu Sans", sans-serif'
KINDS: Final = ("report.on_time", "report.late", "report.skipped", "report.missed")
_STYLE: Final = (
    "@page{{size:A4;margin:16mm}}"
    "body{{font-family:{family};color:#111;font-size:10.5pt;line-height:1.4}}"
    "h1{{font-size:1.5em;margin:0 0 .3em}}h2{{font-size:1.2em;margin:1.2em 0 .3em;"
    "border-bottom:1px solid #ccc}}h3{{font-size:1em;margin:.6em 0 .2em}}"
    ".meta,.note{{color:#555;font-size:.9em;margin:.2em 0}}"
    ".empty{{border:1px solid #D55E00;padding:.4em;margin:.8em 0}}"
    "table{{border-collapse:collapse;margin:.3em 0}}th,td{{border:1px solid #ccc;"
    "padding:.2em .6em;text-align:left}}td.n{{text-align:right}}"
    ".legend span{{margin-right:1em;white-space:nowrap}}section{{page-break-inside:avoid}}"
)


def report_html(lang: str, report: Report) -> str:
    fonts = HANDOUT_FONTS.get(lang, "")
    family = f"{fonts}, {_DEFAULT_FONTS}" if fonts else _DEFAULT_FONTS
    title = _e(t(lang, "report.title"))
    parts = [f"<h1>{title}</h1>",
             _p("meta", t(lang, "report.period", days=report.days,
                          start=report.start.isoformat(), end=report.end.isoformat(),
                          zone=report.zone)),
             _p("meta", t(lang, "report.made",
                          date=report.made_at.strftime("%Y-%m-%d %H:%M UTC")))]
    if report.empty:
        parts.append(_p("empty", t(lang, "report.empty", days=report.days)))
    parts.append(_legend(lang))
    parts += [_medicine(lang, m) for m in report.medicines]
    parts.append(_p("note", t(lang, "report.note")))
    return (f'<!DOCTYPE html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
            f'<meta name="robots" content="noindex"><title>{title}</title>'
            f"<style>{_STYLE.format(family=family)}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


def schedule_text(lang: str, med: MedicineReport) -> str:
    """The schedule in words (the medication's own, issue 14), else its daily times."""
    if med.schedule:
        return med.schedule
    times = med.times
    if not times:
        return t(lang, "report.no_times")
    return t(lang, "report.daily_at", times=", ".join(times))


def _medicine(lang: str, med: MedicineReport) -> str:
    rows = [(t(lang, "report.dose"), med.dosage or "—"),
            (t(lang, "report.schedule"), schedule_text(lang, med))]
    facts = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    tally = med.tally
    heads = "".join(f"<th>{_e(t(lang, k))}</th>" for k in (*KINDS, "report.total"))
    cells = "".join(f'<td class="n">{n}</td>' for n in (tally.on_time, tally.late,
                                                         tally.skipped, tally.missed,
                                                         tally.total))
    chart = day_bars(med.days, label=t(lang, "report.chart", name=med.name))
    return (f"<section><h2>{_e(med.name)}</h2><table>{facts}</table>"
            f"<h3>{_e(t(lang, 'report.adherence'))}</h3>"
            f"<table><tr>{heads}</tr><tr>{cells}</tr></table>"
            f'<div class="chart">{chart}</div>{_refills(lang, med)}</section>')


def _refills(lang: str, med: MedicineReport) -> str:
    head = f"<h3>{_e(t(lang, 'report.refills'))}</h3>"
    if med.on_hand is None:
        return head + _p("meta", t(lang, "report.no_refills"))
    items = "".join(
        f"<li>{_e(t(lang, 'report.refill_item', date=r.at.date().isoformat(), left=r.count))}"
        "</li>" for r in med.refills)
    on_hand = (t(lang, "report.on_hand_days", left=med.on_hand, days=med.days_left)
               if med.days_left is not None else t(lang, "report.on_hand", left=med.on_hand))
    return head + (f"<ul>{items}</ul>" if items else "") + _p("meta", on_hand)


def _legend(lang: str) -> str:
    spans = "".join(f"<span>{swatch(color)} {_e(t(lang, key))}</span>"
                    for key, color in zip(KINDS, COLORS, strict=True))
    return f'<p class="legend">{spans}</p>'


def _p(css: str, text: str) -> str:
    return f'<p class="{css}">{_e(text)}</p>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)
