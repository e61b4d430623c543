"""Medication schedules and reminders through the real entry points, on fakes.

GIVEN a Telegram (or LINE) user in medication mode, WHEN they type commands and the
FixedClock passes a dose time and Cloud Scheduler calls reminder_tick, THEN the
reminder arrives once, repeats hourly until answered, and the dose log records it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.bootstrap import registry
from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.fakes.memory_store import MemoryStore
from shared.ports import Filter
from tests.support import (
    DEV_TOKEN,
    LINE_USER,
    TELEGRAM_USER,
    client,
    fake_container,
    line_body,
    line_event,
    post_line,
    post_telegram,
    pump,
    serving,
    telegram_update,
)

CHAT = str(TELEGRAM_USER)
KEY = f"telegram-{TELEGRAM_USER}"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


class CountingStore(MemoryStore):
    """Counts the documents each call reads, to prove the tick does no full scan."""

    def __init__(self) -> None:
        super().__init__(registered=lambda: registry().collections)
        self.reads = 0
        self.queries: list[str] = []

    def get(self, path):
        self.reads += 1
        return super().get(path)

    def query(self, collection, filters=(), order_by=None, limit=None):
        rows = super().query(collection, filters, order_by, limit)
        self.queries.append(collection)
        self.reads += len(rows)
        return rows


@pytest.fixture
def c():
    container = fake_container()
    container.__dict__["store"] = CountingStore()
    container.__dict__["clock"] = FixedClock(START)
    with serving(container):
        yield container


def telegram(c):
    return c.messengers[Channel.TELEGRAM]


def say(c, text=None, data=None, language_code="en"):
    update = telegram_update(text=text, data=data, language_code=language_code)
    assert post_telegram(update).status_code == 200
    pump(c)
    # As the chat shows it: a reminder's button edits the reminder (issue 11).
    return telegram(c).shown_to(CHAT)[-1]


def tick(c, at=None):
    if at is not None:
        c.clock.current = at
    response = client("reminder_tick").post("/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    assert response.status_code == 200
    result = json.loads(response.data)
    pump(c)
    return result


def sent(c):
    return telegram(c).messages_to(CHAT)


def reminders(c):
    return [m for m in sent(c) if any(b.data.startswith("rt:") for b in m.buttons)]


def with_schedule(c, command="add aspirin 100 mg at 10:00", zone="UTC"):
    say(c, data="mode:med")
    say(c, data=f"med:tz:{zone}")
    return say(c, command)


def log_entries(c, status=None):
    rows = [doc for _, doc in c.store.query("dose_log", [Filter("user_id", "==", KEY)])]
    return [r for r in rows if status is None or r["status"] == status]


# --------------------------------------------------------------------------- commands
def test_the_first_command_asks_for_the_time_zone_then_runs(c):
    say(c, data="mode:med")
    ask = say(c, "add aspirin 100 mg at 08:00")
    assert ask.text == t("en", "med.tz.ask", zone="UTC")
    assert ask.buttons[0].data == "med:tz:UTC"
    assert c.store.query("medications") == []

    before = len(sent(c))
    say(c, data="med:tz:Europe/Berlin")
    # Both confirmations in one message (issue 20: one patient message, one answer).
    [answer] = sent(c)[before:]
    zone_set, _, added = answer.text.partition("\n\n")
    assert zone_set.startswith("Time zone set to Europe/Berlin")
    assert "aspirin" in added and "08:00" in added
    assert "2026-01-06 08:00" in added  # 10:00 in Berlin already: starts tomorrow
    [(_, med)] = c.store.query("medications")
    assert med == {"user_id": KEY, "name": "aspirin", "dosage": "100 mg", "times": ["08:00"]}
    [(_, dose)] = c.store.query("doses")
    assert dose["timezone"] == "Europe/Berlin" and dose["pending_slot"] is None
    assert dose["next_due_at"] == datetime(2026, 1, 6, 7, 0, tzinfo=UTC)
    assert c.store.get(f"users/{KEY}")["timezone"] == "Europe/Berlin"


def session(c):
    return c.store.get(f"sessions/{KEY}")


def test_a_question_is_a_state_with_its_context_until_it_is_answered(c):
    say(c, data="mode:med")
    say(c, "add aspirin 100 mg at 08:00")
    asked = session(c)
    assert asked["state"] == "medication.zone"
    assert asked["data"]["command"]["kind"] == "add"  # the command waiting for the zone
    # A typed command meanwhile is answered in medication mode; the question still waits.
    assert say(c, "help").text == t("en", "med.help")
    assert session(c)["state"] == "medication.zone" and session(c)["data"] == asked["data"]
    say(c, data="med:tz:UTC")
    assert [d["name"] for _, d in c.store.query("medications")] == ["aspirin"]
    assert session(c)["state"] == "medication" and session(c)["data"] == {}


def test_leaving_medication_mode_forgets_the_waiting_question(c):
    say(c, data="mode:med")
    say(c, "add aspirin 100 mg at 08:00")
    say(c, data="menu")
    assert session(c)["state"] == "menu" and session(c)["data"] == {}
    # The old question's button still sets the zone, but the command the patient
    # walked away from is not carried out behind their back.
    answer = say(c, data="med:tz:UTC")
    assert answer.text.startswith("Time zone set to UTC")
    assert c.store.query("medications") == []


def test_all_of_them_from_a_question_no_longer_waiting_asks_again(c):
    with_schedule(c, "add aspirin at 10:00 and 20:00 and metformin at 10:00")
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    question = say(c, "done")
    assert session(c)["state"] == "medication.took"
    say(c, "change aspirin time to 11:00")  # which of its times? now the waiting question
    assert session(c)["state"] == "medication.move"
    again = say(c, data=next(b.data for b in question.buttons if b.data == "med:took:all"))
    assert again.text == t("en", "med.done.which")  # which ones? never a guess
    assert log_entries(c, "taken") == []


def test_russian_users_are_offered_moscow_time(c):
    say(c, data="mode:med", language_code="ru")
    ask = say(c, "добавь аспирин 100 мг в 08:00", language_code="ru")
    assert ask.buttons[0].data == "med:tz:Europe/Moscow"


def test_a_typed_time_zone_is_understood(c):
    say(c, data="mode:med")
    say(c, "add aspirin at 08:00")
    say(c, "+03:00")
    assert c.store.get(f"users/{KEY}")["timezone"] == "+03:00"
    assert len(c.store.query("doses")) == 1


def test_list_delete_and_an_unknown_command(c):
    with_schedule(c, "add aspirin 100 mg at 08:00 and 20:00")
    say(c, "add metformin 500 mg at 12:00")
    listing = say(c, "list")
    # Each schedule in words (issue 14; was "08:00, 20:00").
    assert "aspirin 100 mg: every day at 08:00 and 20:00" in listing.text
    assert "metformin 500 mg: every day at 12:00" in listing.text
    assert len(c.store.query("doses")) == 3

    assert "aspirin" in say(c, "delete aspirin").text
    assert [d["name"] for _, d in c.store.query("doses")] == ["metformin"]
    assert say(c, "blah blah blah").text == t("en", "med.unknown")


def test_a_delete_button_deletes_only_the_users_own_medication(c):
    with_schedule(c)
    [(path, _)] = c.store.query("medications")
    say(c, data="med:del:someone-elses-id")
    assert len(c.store.query("medications")) == 1
    say(c, data=f"med:del:{path.split('/')[1]}")
    assert c.store.query("medications") == [] and c.store.query("doses") == []


def test_time_zone_change_keeps_wall_times(c):
    with_schedule(c)
    say(c, "timezone Asia/Taipei")
    [(_, dose)] = c.store.query("doses")
    assert dose["timezone"] == "Asia/Taipei"
    assert dose["next_due_at"] == datetime(2026, 1, 6, 2, 0, tzinfo=UTC)  # 10:00 Taipei


def test_done_marks_a_pending_dose_taken(c):
    # 13:00 is over 3 h away (issue 11: "took it" up to 3 h early takes the next dose).
    with_schedule(c, "add aspirin 100 mg at 13:00")
    assert say(c, "took aspirin").text == t("en", "med.done.none")
    tick(c, datetime(2026, 1, 5, 13, 0, tzinfo=UTC))
    say(c, data="mode:med")
    assert "aspirin" in say(c, "took aspirin").text
    [entry] = log_entries(c, "taken")
    assert entry["slot_at"] == datetime(2026, 1, 5, 13, 0, tzinfo=UTC)
    # The one take path: a typed "took it" counts in usage like the reminder's button.
    [(_, counts)] = c.store.query("usage")
    assert counts["counts"]["reminders.taken"] == 1


# --------------------------------------------------------------------------- reminders
def test_reminder_arrives_when_due_and_taken_stops_repeats(c):
    with_schedule(c)
    assert tick(c)["enqueued"] == 0
    result = tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    assert result == {"due": 1, "users": 1, "enqueued": 1}
    [reminder] = reminders(c)
    assert "aspirin" in reminder.text
    assert [b.data[:3] for b in reminder.buttons] == ["rt:", "rz:", "rk:"]
    assert all(len(b.data.encode()) <= 64 for b in reminder.buttons)

    taken = say(c, data=reminder.buttons[0].data)
    # Telegram edits the reminder (issue 11): the dose marked taken, no buttons left.
    assert taken.text.endswith(t("en", "remind.mark.taken")) and taken.buttons == []
    assert tick(c, datetime(2026, 1, 5, 11, 0, tzinfo=UTC))["due"] == 0
    assert len(reminders(c)) == 1
    [entry] = log_entries(c)
    assert entry["status"] == "taken"
    # A second tap on the same reminder changes nothing.
    assert say(c, data=reminder.buttons[0].data).text == t("en", "remind.handled")
    assert len(log_entries(c)) == 1


def test_no_answer_repeats_hourly_and_the_next_slot_records_a_miss(c):
    with_schedule(c)
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    tick(c, datetime(2026, 1, 5, 10, 30, tzinfo=UTC))
    assert len(reminders(c)) == 1
    tick(c, datetime(2026, 1, 5, 11, 0, tzinfo=UTC))
    assert len(reminders(c)) == 2
    assert reminders(c)[-1].text.startswith(t("en", "remind.again"))

    for hour in range(12, 24):
        tick(c, datetime(2026, 1, 5, hour, 0, tzinfo=UTC))
    count = len(reminders(c))
    tick(c, datetime(2026, 1, 6, 10, 0, tzinfo=UTC))
    assert len(reminders(c)) == count + 1
    [missed] = log_entries(c, "missed")
    assert missed["slot_at"] == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def test_two_ticks_in_the_same_minute_remind_once(c):
    with_schedule(c)
    at = datetime(2026, 1, 5, 10, 0, 5, tzinfo=UTC)
    assert tick(c, at)["enqueued"] == 1
    assert tick(c, at)["enqueued"] == 0
    assert len(reminders(c)) == 1


def test_a_skipped_tick_is_caught_up(c):
    with_schedule(c)
    tick(c, datetime(2026, 1, 5, 9, 59, tzinfo=UTC))
    assert reminders(c) == []
    tick(c, datetime(2026, 1, 5, 10, 3, tzinfo=UTC))  # the 10:00 .. 10:02 ticks never came
    assert len(reminders(c)) == 1


def test_a_tick_that_crashed_before_enqueueing_is_recovered(c, monkeypatch):
    with_schedule(c)
    service = c.reminders
    monkeypatch.setattr(service.ticker, "_dispatch", lambda rid, payload: 0)  # crash after commit
    c.clock.current = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    service.tick()
    assert len(c.store.query("remind_outbox")) == 1
    monkeypatch.undo()
    tick(c, datetime(2026, 1, 5, 10, 1, tzinfo=UTC))
    assert len(reminders(c)) == 1
    assert c.store.query("remind_outbox") == []


def test_a_remind_task_delivered_twice_sends_once(c):
    with_schedule(c)
    c.clock.current = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    client("reminder_tick").post("/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    [task] = c.tasks.tasks
    for _ in range(3):
        response = client("remind_worker").post(
            "/", json=task.payload, headers={"Authorization": f"Bearer {DEV_TOKEN}"})
        assert response.status_code == 200
    assert len(reminders(c)) == 1


def test_snooze_reminds_again_in_15_minutes_and_skip_is_logged(c):
    with_schedule(c)
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    snooze = reminders(c)[0].buttons[1].data
    snoozed = say(c, data=snooze)  # the reminder, edited (issue 11)
    assert snoozed.text.endswith(t("en", "remind.mark.snoozed", time="10:15"))
    tick(c, datetime(2026, 1, 5, 10, 14, tzinfo=UTC))
    assert len(reminders(c)) == 1
    tick(c, datetime(2026, 1, 5, 10, 15, tzinfo=UTC))
    assert len(reminders(c)) == 2
    say(c, data=reminders(c)[-1].buttons[2].data)
    [entry] = log_entries(c)
    assert entry["status"] == "skipped"


def test_one_message_lists_every_due_medication(c):
    with_schedule(c, "add aspirin 100 mg at 10:00")
    say(c, "add metformin 500 mg at 10:00")
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    [reminder] = reminders(c)
    assert "aspirin" in reminder.text and "metformin" in reminder.text
    # Issue 11: a Taken per medicine, then All taken, Snooze, Skip.
    labels = [b.label for b in reminder.buttons]
    assert labels == [t("en", "button.taken_one", name="aspirin"),
                      t("en", "button.taken_one", name="metformin"),
                      t("en", "button.taken_all"), t("en", "button.snooze"),
                      t("en", "button.skip")]
    say(c, data=reminder.buttons[2].data)
    assert len(log_entries(c, "taken")) == 2


def test_weekly_summary(c):
    with_schedule(c)
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    say(c, data=reminders(c)[-1].buttons[0].data)
    tick(c, datetime(2026, 1, 6, 10, 0, tzinfo=UTC))
    tick(c, datetime(2026, 1, 7, 10, 0, tzinfo=UTC))  # the 6th is missed
    summary = say(c, data="med:week")
    # Issue 11: on time / late / skipped / missed per medicine, with a bar.
    assert t("en", "med.adh.item", bar="█████·····", name="aspirin", on_time=1, late=0,
             skipped=0, missed=1) in summary.text


def test_the_tick_reads_only_due_doses(c):
    with_schedule(c)
    for i in range(200):  # other users' doses, due later
        c.store.set(f"doses/other{i}", {"user_id": f"telegram-{i}", "time": "12:00",
                                        "timezone": "UTC", "pending_slot": None, "sent": 0,
                                        "next_slot_at": datetime(2026, 1, 5, 12, tzinfo=UTC),
                                        "next_due_at": datetime(2026, 1, 5, 12, tzinfo=UTC)})
    c.clock.current = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    c.store.reads = 0
    assert c.reminders.tick()["due"] == 1
    # one dose from the query, re-read in the transaction, plus the user document
    assert c.store.reads <= 5


def test_line_users_get_reminders_too(c):
    def say_line(text=None, data=None):
        event = line_event("postback", data=data) if data else line_event(text=text)
        assert post_line(line_body(event)).status_code == 200
        pump(c)

    say_line(data="mode:med")
    say_line("add aspirin 100 mg at 08:00")
    line = c.messengers[Channel.LINE]
    assert line.messages_to(LINE_USER)[-1].buttons[0].data == "med:tz:Asia/Taipei"
    say_line(data="med:tz:Asia/Taipei")
    tick(c, datetime(2026, 1, 6, 0, 0, tzinfo=UTC))  # 08:00 in Taipei
    assert any(b.data.startswith("rt:") for b in line.messages_to(LINE_USER)[-1].buttons)


def test_delete_my_data_removes_schedules(c):
    with_schedule(c)
    tick(c, datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    say(c, data=reminders(c)[-1].buttons[0].data)
    say(c, "delete my data")
    say(c, data="del:yes")
    for collection in ("medications", "doses", "dose_log"):
        assert c.store.query(collection) == []


# --------------------------------------------------------------------------- the model
def test_the_dialog_worker_asks_the_model_once_and_never_for_long_text(c):
    from shared.fakes.scripted_llm import ScriptedModel

    model = ScriptedModel(strict=True)
    c.__dict__["llm"] = model
    with_schedule(c)
    model.add_json({"kind": "dose_change", "timezone": None,
                    "items": [{"medication_id": "m1", "name": "aspirin", "dosage": "50 mg"}]})
    reply = say(c, "my doctor says half the aspirin from now on, so 50 mg")
    assert model.count() == 1
    assert reply.text == t("en", "med.dose.changed", name="aspirin", dosage="50 mg")
    [(_, med)] = c.store.query("medications")
    assert med["dosage"] == "50 mg"

    assert say(c, "x" * 10_000).text.startswith(t("en", "too_long", count=10_000,
                                                     limit=2000)[:12])
    assert model.count() == 1  # 10 KB never reaches the model
    assert say(c, "list").text.startswith("Your medications")
    assert model.count() == 1  # the parser answered


@pytest.mark.parametrize("word", ["help", "說明", "помощь"])
def test_help_in_medication_mode_explains_the_medication_commands(c, word):
    with_schedule(c)
    assert say(c, word).text == t("en", "med.help")


def test_the_help_button_in_medication_mode_explains_the_medication_commands(c):
    with_schedule(c)
    assert say(c, data="help").text == t("en", "med.help")


@pytest.mark.parametrize("question", ["how did I do this week?", "Как я справился за неделю?",
                                      "這週的服藥狀況如何？"])
def test_asking_how_the_week_went_gives_the_adherence_summary(c, question):
    with_schedule(c)
    assert say(c, question).text.startswith(t("en", "med.adh.title", days=7))
