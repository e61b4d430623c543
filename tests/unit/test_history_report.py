"""The answer to "what did I take?" (issue 14 item 5): per local day, taken with its
time, skipped, missed, in the patient's zone and language; a clear answer when nothing
is logged."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from shared.domain.i18n import t
from shared.medication.history_report import LogLine, history_text, period_bounds

TAIPEI = ZoneInfo("Asia/Taipei")
TODAY = date(2026, 12, 9)  # a Wednesday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


LOG = [
    # 08:00 Taipei on the 8th is 00:00 UTC; 23:30 UTC on the 7th is 07:30 on the 8th.
    LogLine("aspirin", "100 mg", at(8, 0), "taken", at(7, 23, 55)),
    LogLine("metformin", "", at(8, 12), "skipped", at(8, 12, 30)),
    LogLine("aspirin", "100 mg", at(7, 12), "missed", at(7, 15)),
    LogLine(None, "", at(7, 23, 30), "taken", at(7, 23, 40)),
    LogLine("aspirin", "100 mg", at(5, 0), "taken", at(5, 1)),  # before the period
]


def test_each_local_day_with_taken_skipped_and_missed() -> None:
    text = history_text(LOG, date(2026, 12, 7), date(2026, 12, 8), TAIPEI, "Asia/Taipei",
                        "en", TODAY)
    assert text.splitlines() == [
        "Your doses (Asia/Taipei time):",
        "Monday, 7 December:",
        "• 20:00 aspirin 100 mg: missed",
        "Tuesday, 8 December:",
        "• 07:30 (a medicine no longer on your list): taken at 07:40",
        "• 08:00 aspirin 100 mg: taken at 07:55",
        "• 20:00 metformin: skipped",
    ]


def test_the_same_log_in_russian_and_chinese() -> None:
    ru = history_text(LOG, date(2026, 12, 8), date(2026, 12, 8), TAIPEI, "Asia/Taipei", "ru",
                      TODAY).splitlines()
    assert ru[1] == "вторник, 8 декабря:"
    assert "• 08:00 aspirin 100 mg: принято в 07:55" in ru
    assert "• 20:00 metformin: пропущено" in ru
    zh = history_text(LOG, date(2026, 12, 7), date(2026, 12, 7), TAIPEI, "Asia/Taipei",
                      "zh-TW", TODAY).splitlines()
    assert zh == ["您的服藥紀錄（Asia/Taipei 時間）：", "12月7日（週一）：",
                  "• 20:00 aspirin 100 mg：漏服"]


def test_nothing_logged_gets_a_clear_answer() -> None:
    assert history_text([], TODAY, TODAY, TAIPEI, "Asia/Taipei", "en", TODAY) == \
        "Nothing is recorded for 9 December."
    assert history_text(LOG, date(2026, 11, 30), date(2026, 12, 4), TAIPEI, "Asia/Taipei",
                        "ru", TODAY) == "С 30 ноября по 4 декабря ничего не отмечено."
    assert history_text([], TODAY, TODAY, TAIPEI, "Asia/Taipei", "zh-TW", TODAY) == \
        t("zh-TW", "med.history.none_day", date="12月9日")


def test_a_week_shows_its_empty_days_and_today_notes_the_unanswered() -> None:
    text = history_text(LOG, date(2026, 12, 7), TODAY, TAIPEI, "Asia/Taipei", "en", TODAY)
    lines = text.splitlines()
    assert lines[-3:] == ["Wednesday, 9 December:", "• nothing recorded",
                          t("en", "med.history.pending")]
    # A month lists only the days with entries.
    month = history_text(LOG, date(2026, 11, 10), TODAY, TAIPEI, "Asia/Taipei", "en", TODAY)
    assert "• nothing recorded" not in month and "Saturday, 5 December:" in month


def test_local_days_are_dst_correct() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start, end = period_bounds(date(2026, 3, 29), date(2026, 3, 29), berlin)
    assert (end - start).total_seconds() == 23 * 3600  # the day summer time starts
