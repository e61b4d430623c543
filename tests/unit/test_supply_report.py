"""The doctor's report, pure parts: the SVG bar chart (svg.py), the period and its
per-day counts in the patient's time zone (report_model.py), and the page
(report_html.py): escaped, self-contained, in the patient's language."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

from shared.domain.i18n import t
from shared.features.medication.adherence import Logged
from shared.features.supply.model import Supply
from shared.features.supply.report_html import report_html, schedule_text
from shared.features.supply.report_model import Medicine, build_report, since
from shared.features.supply.svg import COLORS, HEIGHT, DayCounts, day_bars

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 1, 30, 12, 0, tzinfo=UTC)  # 20:00 in Taipei
ZONE = "Asia/Taipei"


def test_bars_stack_each_kind_in_its_colour_scaled_to_the_fullest_day():
    days = [DayCounts(date(2026, 1, 1), on_time=2), DayCounts(date(2026, 1, 2)),
            DayCounts(date(2026, 1, 3), on_time=1, late=1, skipped=1, missed=1)]
    svg = ET.fromstring(day_bars(days, label="chart"))
    rects = svg.findall(f"{SVG}rect")
    assert [r.get("fill") for r in rects] == [COLORS[0], *COLORS]
    heights = [float(r.get("height") or 0) for r in rects]
    assert heights[0] == HEIGHT / 2 and sum(heights[1:]) == HEIGHT  # 2 of 4, 4 of 4
    assert {e.tag.removeprefix(SVG) for e in svg.iter()} <= {"svg", "rect", "line", "text"}
    assert [e.text for e in svg.findall(f"{SVG}text")][-2:] == ["01-01", "01-03"]


def test_the_chart_escapes_its_label_and_draws_an_empty_month():
    empty = [DayCounts(date(2026, 1, 1) + timedelta(days=n)) for n in range(30)]
    raw = day_bars(empty, label='<script>alert("x")</script>')
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    assert ET.fromstring(raw).findall(f"{SVG}rect") == []


def test_the_period_is_whole_local_days_and_slots_count_on_their_local_day():
    start = since(NOW, ZONE, 30)
    assert start == datetime(2026, 1, 1, 0, 0, tzinfo=UTC) - timedelta(hours=8)
    slot = datetime(2026, 1, 9, 23, 30, tzinfo=UTC)  # 07:30 on the 10th in Taipei
    logged = [Logged("m1", slot, "taken", slot + timedelta(minutes=5)),
              Logged("m1", slot + timedelta(hours=12), "taken", slot + timedelta(hours=14)),
              Logged("m1", slot - timedelta(days=1), "skipped", slot),
              Logged("m1", start - timedelta(hours=1), "missed", start),  # before the period
              Logged("m2", slot, "missed", slot)]
    supply = Supply.first("m1", "u", "metformin", 30, datetime(2026, 1, 20, tzinfo=UTC), 7)
    old = Supply.first("m1", "u", "metformin", 60, datetime(2025, 11, 1, tzinfo=UTC), 7)
    supply.refills = [*old.refills, *supply.refills]
    report = build_report([Medicine("m1", "metformin", "1 tablet", ("07:30", "19:30"))],
                          logged, [supply], NOW, ZONE, 30)
    assert (report.start, report.end, report.days) == (date(2026, 1, 1), date(2026, 1, 30), 30)
    [med] = report.medicines
    tally = med.tally
    assert (tally.on_time, tally.late, tally.skipped, tally.missed) == (1, 1, 1, 0)
    by_day = {d.day: d.parts for d in med.days if d.total}
    assert by_day == {date(2026, 1, 9): (0, 0, 1, 0), date(2026, 1, 10): (1, 1, 0, 0)}
    assert len(med.days) == 30 and not report.empty
    assert [r.count for r in med.refills] == [30]  # the refill before the period is left out
    assert (med.on_hand, med.days_left) == ("30", 15)


def test_an_empty_history_still_shows_the_schedule():
    report = build_report([Medicine("m", "二甲雙胍", "1顆", ("08:00",))], [], [], NOW, ZONE, 30)
    assert report.empty
    page = report_html("zh-TW", report)
    assert t("zh-TW", "report.empty", days=30) in page
    assert schedule_text("zh-TW", report.medicines[0]) in page and "二甲雙胍" in page
    assert '"Noto Sans CJK TC"' in page and 'lang="zh-TW"' in page
    assert t("zh-TW", "report.no_refills") in page


def test_the_page_escapes_names_and_holds_no_script_or_remote_resource():
    name = '<img src="http://x/a.png" onerror="alert(1)">'
    report = build_report([Medicine("m", name, "2 tablets", ())], [], [], NOW, ZONE, 30)
    page = report_html("en", report)
    assert "<img" not in page and "&lt;img" in page and "<script" not in page
    assert not re.search(r"(?:src|href)=\"https?:", page)
    assert t("en", "report.no_times") in page
    for key in ("report.on_time", "report.late", "report.skipped", "report.missed"):
        assert t("en", key) in page


def test_a_stored_offset_or_an_unknown_zone_still_makes_a_report():
    for zone, first in (("+03:00", date(2026, 1, 1)), ("Mars/Olympus", date(2026, 1, 1))):
        report = build_report([Medicine("m", "x", "1 tablet", ("08:00",))], [], [], NOW,
                              zone, 30)
        assert report.start == first and report.days == 30


def test_a_weekly_medicine_shows_its_rule_in_words_and_lasts_by_its_rule():
    """The schedule in words comes from the medication (issue 14); a weekly dose of 1
    tablet with 4 on hand lasts 14 days, not 4 (daily) nor 28."""
    weekly = Medicine("m", "methotrexate", "1 tablet", ("09:00",), "FREQ=WEEKLY;BYDAY=MO,TH",
                      schedule="every Monday and Thursday at 09:00")
    supply = Supply.first("m", "u", "methotrexate", 4, NOW, 7)
    report = build_report([weekly], [], [supply], NOW, ZONE, 30)
    [med] = report.medicines
    assert med.days_left == 14
    assert "every Monday and Thursday at 09:00" in report_html("en", report)
    assert t("en", "report.daily_at", times="09:00") not in report_html("en", report)
