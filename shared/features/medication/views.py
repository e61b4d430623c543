"""The patient's schedule seen three ways (issue 14 items 3-5): in words in the list,
as a calendar file for the phone, and as the history of what was taken.

The views are pure functions over plain facts (shared/medication: facts.py, describe.py,
ics.py, history_words.py, history_report.py); this module is the glue from the
medication model and the dose log to those facts, and the dialog's answers built on
them. The calendar file goes to the private bucket under calendar/<user>/ (deleted by
"delete my data" and by the bucket's lifecycle rule) and is opened through a signed
link that expires (CALENDAR_LINK_TTL_S).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from shared.domain.i18n import t
from shared.domain.messages import Button, Card, Cards, OutMessage, Text
from shared.domain.reading.text import prepare
from shared.domain.reading.words import CALENDAR
from shared.domain.schedule import zone_of
from shared.domain.signatures import stable_id
from shared.features.medication.common import Context, say
from shared.features.medication.model import Medication
from shared.medication.facts import ScheduleFacts
from shared.medication.history_report import LogLine, history_text, period_bounds
from shared.medication.history_words import HistoryQuestion, read_history_question
from shared.plumbing.files import CALENDAR_FILES, user_file_key
from shared.plumbing.turns import Reply
from shared.ports import BlobStore

ICS_TYPE: Final = "text/calendar; charset=utf-8"


def facts_of(med: Medication) -> ScheduleFacts:
    """A medication's schedule as plain facts (the views know nothing of the model)."""
    schedule = med.schedule
    return ScheduleFacts(name=med.name, dosage=med.dosage, rule=schedule.rule,
                         times=tuple(schedule.times), start=schedule.start,
                         as_needed=schedule.as_needed, max_per_day=schedule.max_per_day)


def local_today(now: datetime, zone: str | None) -> date:
    """The patient's local day (UTC when no time zone is known yet)."""
    return now.astimezone(zone_of(zone or "UTC")).date()


def asks_for_calendar(text: str) -> bool:
    """"add to calendar", "加入行事曆", "добавить в календарь" (the intent tables' words)."""
    return CALENDAR.find(prepare(text)) is not None


def answers_itself(text: str) -> bool:
    """A question the views answer without a model (the preparer skips the model)."""
    return read_history_question(text) is not None or asks_for_calendar(text)


# --------------------------------------------------------------------------- history
def history(ctx: Context, question: HistoryQuestion) -> Reply:
    """What was taken in the period asked, per local day, from the dose log."""
    zone_name = ctx.zone or "UTC"
    zone = zone_of(zone_name)
    today = local_today(ctx.now, ctx.zone)
    first, last = question.period.days(today)
    start, _ = period_bounds(first, last, zone)
    known = {m.id: m for m in ctx.regimen.medications}
    entries = [LogLine(known[e.medication_id].name if e.medication_id in known else None,
                       known[e.medication_id].dosage if e.medication_id in known else "",
                       e.slot_at, e.status, e.at)
               for e in ctx.repo.logged_since(ctx.key, start)]
    text = history_text(entries, first, last, zone, zone_name, ctx.lang, today)
    return Reply([Text(text=text)])


# --------------------------------------------------------------------------- calendar
@dataclass(frozen=True)
class CalendarLinks:
    """Where calendar files go: the bucket (built on first use; its links are signed)
    and how long a link works."""

    bucket: Callable[[], BlobStore] | None
    ttl_s: int = 3600


def calendar(ctx: Context, links: CalendarLinks) -> Reply:
    """A signed, expiring link to the .ics file of the patient's schedule; a clear
    answer, and no file, when nothing in it has times."""
    # icalendar takes 120-160 ms to import: only a turn that builds a calendar pays it,
    # not every dialog worker's cold start.
    from shared.medication.ics import build_calendar

    zone_name = ctx.zone or "UTC"
    today = local_today(ctx.now, ctx.zone)
    schedules = [facts_of(m) for m in sorted(ctx.regimen.medications,
                                             key=lambda m: m.name.casefold())]
    data = build_calendar(schedules, zone_name, zone_of(zone_name), today, ctx.now,
                          ctx.lang, uid_seed=stable_id("calendar", ctx.key))
    if data is None or links.bucket is None:
        return Reply([say(ctx.lang, "med.calendar.empty")])
    blobs = links.bucket()
    # Named after its content: a retried turn writes the same object.
    key = user_file_key(CALENDAR_FILES, ctx.key, f"{stable_id(data.decode())}.ics")
    blobs.put(key, data, ICS_TYPE)
    messages: list[OutMessage] = [
        Text(text=t(ctx.lang, "med.calendar.ready", count=max(1, links.ttl_s // 60)))]
    if any(s.as_needed for s in schedules):
        messages.append(Text(text=t(ctx.lang, "med.calendar.as_needed")))
    messages.append(Cards(alt_text=t(ctx.lang, "med.calendar.card"),
                          cards=[Card(title=t(ctx.lang, "med.calendar.card"),
                                      url=blobs.signed_url(key, links.ttl_s))]))
    return Reply(messages)


def calendar_button(lang: str) -> Button:
    return Button(label=t(lang, "med.calendar.button"), data="med:cal")


def answer_text(ctx: Context, text: str, links: CalendarLinks) -> Reply | None:
    """The history or the calendar, when the text asks for one."""
    question = read_history_question(text)
    if question is not None:
        return history(ctx, question)
    if asks_for_calendar(text):
        return calendar(ctx, links)
    return None
