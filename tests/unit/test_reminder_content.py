"""What a reminder says and offers (issue 11): items ordered by slot then name, a date
when not today, a Taken per medicine with its name plus All taken / Snooze / Skip,
answered items marked and their buttons gone, the last reminder saying so, and the
button data read back exactly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.domain.channels import LINE_QUICK_REPLY_LABEL
from shared.domain.i18n import t
from shared.domain.labels import fit_labels
from shared.domain.messages import Button
from shared.features.reminders import answers, content
from shared.features.reminders.answers import Answer, Verb

RID = "ab" * 20
NOW = datetime(2026, 1, 6, 0, 0, tzinfo=UTC)  # 08:00 in Taipei


def item(name: str, slot: str, dose: str = "", dosage: str = "",
         **extra: object) -> dict[str, object]:
    return {"dose_id": dose or name, "slot": slot, "sent": 1, "name": name, "dosage": dosage,
            "time": "08:00", "zone": "Asia/Taipei", **extra}


MORNING = "2026-01-06T00:00:00+00:00"  # 08:00 Taipei, today
YESTERDAY_NIGHT = "2026-01-05T14:00:00+00:00"  # 22:00 Taipei, yesterday


def test_items_are_ordered_by_slot_then_name_whatever_order_they_came_in():
    items = [item("omeprazole", MORNING), item("Metformin", MORNING),
             item("vitamin D", YESTERDAY_NIGHT), item("aspirin", MORNING)]
    names = [i["name"] for i in content.ordered(items)]
    assert names == ["vitamin D", "aspirin", "Metformin", "omeprazole"]
    assert content.ordered(list(reversed(items))) == content.ordered(items)


def test_each_item_shows_its_time_and_its_date_when_not_today():
    assert content.when(item("a", MORNING), NOW) == "08:00"
    assert content.when(item("a", YESTERDAY_NIGHT), NOW) == "2026-01-05 22:00"


@pytest.mark.parametrize("lang", ["en", "ru", "zh-TW"])
def test_a_taken_button_per_medicine_with_its_name_then_all_snooze_skip(lang):
    items = content.ordered([item("metformin", MORNING, dosage="500 mg"),
                             item("omeprazole", MORNING, dosage="20 mg")])
    buttons = content.buttons(lang, RID, items)
    assert [b.label for b in buttons] == [
        t(lang, "button.taken_one", name="metformin"),
        t(lang, "button.taken_one", name="omeprazole"),
        t(lang, "button.taken_all"), t(lang, "button.snooze"), t(lang, "button.skip")]
    assert [answers.read(b.data.split(":", 1)[1]) for b in buttons] == [
        Answer(RID, item=0), Answer(RID, item=1), Answer(RID), Answer(RID, pick=True),
        Answer(RID, pick=True)]
    assert all(len(b.data.encode()) <= 64 for b in buttons)


def test_long_names_stay_distinguishable_within_lines_limit():
    items = content.ordered([
        item("Metformin hydrochloride extended-release", MORNING, dose="a"),
        item("Metformin hydrochloride immediate-release", MORNING, dose="b")])
    labels = [b.label for b in content.buttons("en", RID, items)]
    fitted = fit_labels(labels, LINE_QUICK_REPLY_LABEL).labels
    assert len(set(fitted[:2])) == 2 and all(len(x) <= LINE_QUICK_REPLY_LABEL for x in fitted)


def test_answered_items_are_marked_and_only_what_is_left_keeps_buttons():
    items = content.ordered([item("metformin", MORNING), item("omeprazole", MORNING)])
    done = {"0": {"status": content.TAKEN}}
    text = content.text("en", items, NOW, done)
    assert f"metformin {t('en', 'remind.mark.taken')}" in text
    assert text.count("metformin") == 1 and text.count("omeprazole") == 1
    buttons = content.buttons("en", RID, items, done)
    # One dose left: Taken / Snooze / Skip for it alone.
    assert [b.data for b in buttons] == [answers.data(v, RID, 1)
                                         for v in (Verb.TAKEN, Verb.SNOOZE, Verb.SKIP)]
    assert content.buttons("en", RID, items, {**done, "1": {"status": content.SKIPPED}}) == []
    snoozed = {"1": {"status": content.SNOOZED, "time": "08:15"}}
    assert len(content.buttons("en", RID, items, snoozed)) == 5  # a snoozed dose is still open


def test_the_last_reminder_says_so_once_per_name():
    items = content.ordered([item("omeprazole", MORNING, last=True)])
    assert content.text("en", items, NOW).endswith(t("en", "remind.last", names="omeprazole"))
    assert t("en", "remind.last", names="omeprazole") not in content.text(
        "en", items, NOW, {"0": {"status": content.TAKEN}})


def test_which_one_offers_each_item_left_and_all():
    items = content.ordered([item("metformin", MORNING), item("omeprazole", MORNING)])
    question = content.pick("en", Verb.SNOOZE, RID, items, {"0": {"status": content.TAKEN}})
    assert question.buttons == [Button(label="omeprazole", data=answers.data(Verb.SNOOZE, RID, 1)),
                                Button(label=t("en", "med.done.all"),
                                       data=answers.data(Verb.SNOOZE, RID, answers.ALL))]


@pytest.mark.parametrize("argument", ["", "x" * 40, RID + ":", RID + ":100", RID + ":b",
                                      RID + ":0:1", "../" + RID[3:], RID.upper()])
def test_button_data_that_is_not_exactly_ours_reads_as_nothing(argument):
    assert answers.read(argument) is None


def test_the_bare_id_of_older_reminders_reads_as_all():
    assert answers.read(RID) == Answer(RID)


@pytest.mark.parametrize("lang", ["zh-TW", "en", "ru"])
def test_the_last_dose_of_a_course_says_the_course_is_finished(lang: str) -> None:
    items = [item("amoxicillin", MORNING, course_end=True), item("aspirin", MORNING)]
    said = content.text(lang, items, NOW)
    assert said.splitlines()[-1] == t(lang, "remind.course_end", names="amoxicillin")
    assert t(lang, "remind.course_end", names="aspirin") not in said
    plain = content.text(lang, [item("amoxicillin", MORNING)], NOW)
    assert t(lang, "remind.course_end", names="amoxicillin") not in plain
