"""Quiet hours as patients say them (issue 11), in the three languages; sentences that
are not about quiet hours are left to the medication parser."""

from __future__ import annotations

import pytest

from shared.medication.bare import bare_command
from shared.medication.parser import parse_command
from shared.medication.quiet import QuietChange, parse_quiet_hours


@pytest.mark.parametrize(("text", "change"), [
    ("no reminders after 23:00", QuietChange(start="23:00")),
    ("Don't remind me after 10 pm", QuietChange(start="22:00")),
    ("no reminders after 11", QuietChange(start="23:00")),  # a night's start: evening
    ("no reminders before 8", QuietChange(end="08:00")),
    ("quiet hours 22:00-07:00", QuietChange("22:00", "07:00")),
    ("no reminders between 23:30 and 6:30", QuietChange("23:30", "06:30")),
    ("quiet hours off", QuietChange(off=True)),
    ("не беспокоить с 22 до 7", QuietChange("22:00", "07:00")),
    ("Не напоминай после 23:00", QuietChange(start="23:00")),
    ("не присылай напоминания до 8 утра", QuietChange(end="08:00")),
    ("отключи тихие часы", QuietChange(off=True)),
    ("晚上11點後不要提醒", QuietChange(start="23:00")),
    ("晚上十一點以後不要提醒", QuietChange(start="23:00")),
    ("早上7點前不要提醒", QuietChange(end="07:00")),
    ("晚上10點到早上7點不要提醒", QuietChange("22:00", "07:00")),
    ("勿擾 22:00-07:00", QuietChange("22:00", "07:00")),
])
def test_quiet_hours_are_read(text, change):
    assert parse_quiet_hours(text) == change


@pytest.mark.parametrize("text", [
    "add aspirin 100 mg at 8", "I took aspirin", "remind me at 8", "no reminders",
    "delete aspirin", "добавь аспирин в 8", "我吃了阿斯匹靈", "不要提醒",
])
def test_other_sentences_are_not_quiet_hours(text):
    assert parse_quiet_hours(text) is None


@pytest.mark.parametrize("text", ["принял", "приняла", "принято", "Принято!", "всё принято",
                                  "уже принял"])
def test_russian_taken_words_read_as_done(text):
    command = parse_command(text, ["аспирин"]) or bare_command(text)
    assert command is not None and command.kind == "done" and command.items == []


@pytest.mark.parametrize(("text", "dosage"), [
    ("add vitamin D 1000 IU at 22:00", "1000 IU"),
    ("добавь витамин D 1000 МЕ в 22:00", "1000 МЕ"),
    ("add vitamin D 1000 iu at 22:00", "1000 iu"),
    ("add metformin 500mg at 8", "500 mg"),
    ("добавь аспирин 2 таблетки в 8", "2 таблетки"),
])
def test_units_are_kept_as_typed(text, dosage):
    command = parse_command(text, [])
    assert command is not None and command.items[0].dosage == dosage
