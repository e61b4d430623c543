"""As-needed medicines (issue 14): never reminded; "I took ibuprofen" logs the dose with
its time, and "when did I last take ibuprofen?" answers from the log.

With a maximum per day the patient is told where they are ("3 of at most 4 today"), that
the limit is reached, or that it is exceeded: what the patient took is ALWAYS logged (a
refusal would only lose the record a doctor needs), the warning is the safety. "Today" is
the patient's local day.

An as-needed dose is logged as a dose_log entry of the medicine's one virtual dose
(prn_dose_id): slot_at and taken_at are the moment it was reported, so a retried handler
(the same turn, the same instant) writes the same entry once.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Final

from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.domain.schedule import local_label, slot_key, zone_of
from shared.domain.signatures import stable_id
from shared.features.medication.common import Context, dosage_suffix, merge, names, say
from shared.features.medication.model import DoseLog, Medication, SlotStatus
from shared.medication.models import ParsedCommand as Command
from shared.plumbing.turns import Reply

# Where "when did I last take it?" looks, nearest first (an indexed range each time).
LOOKBACK_DAYS: Final = (2, 31, 366)


def prn_dose_id(medication_id: str) -> str:
    return stable_id(medication_id, "as-needed")


def _midnight(ctx: Context) -> datetime:
    zone = zone_of(ctx.zone or "UTC")
    day = ctx.now.astimezone(zone).date()
    return datetime.combine(day, time(0), tzinfo=zone)


def log_taken(ctx: Context, med: Medication) -> Reply:
    """An as-needed medicine was taken now: logged, and counted against its maximum."""
    zone = zone_of(ctx.zone or "UTC")
    entry = DoseLog(prn_dose_id(med.id), ctx.key, med.id, slot_key(ctx.now),
                    SlotStatus.TAKEN, ctx.now)
    ctx.regimen.logs.append(entry)
    lines = [t(ctx.lang, "med.prn.logged", name=med.name, dosage=dosage_suffix(med.dosage),
               time=local_label(ctx.now, zone)[-5:])]
    limit = med.schedule.max_per_day
    if limit is not None:
        today = [e for e in ctx.repo.logged_since(ctx.key, _midnight(ctx))
                 if e.medication_id == med.id and e.status == SlotStatus.TAKEN.value
                 and e.slot_at != ctx.now]
        count = len(today) + 1
        key = "med.prn.count" if count < limit else (
            "med.prn.limit" if count == limit else "med.prn.over")
        lines.append(t(ctx.lang, key, count=count, max=limit))
    return Reply([Text(text="\n".join(lines))])


def last_taken(ctx: Context, command: Command) -> Reply:
    """"When did I last take X?": the latest taken entry of each medicine named."""
    reply = Reply()
    for item in command.items:
        med = ctx.regimen.find(item.name)
        if med is None:
            reply = merge(reply, Reply([say(ctx.lang, "med.last.unknown", name=item.name,
                                            names=names(ctx.regimen.medications) or "-")]))
            continue
        when = _last(ctx, med)
        reply = merge(reply, Reply([
            say(ctx.lang, "med.last.taken", name=med.name,
                when=local_label(when, zone_of(ctx.zone or "UTC")))
            if when is not None else say(ctx.lang, "med.last.never", name=med.name)]))
    return reply


def _last(ctx: Context, med: Medication) -> datetime | None:
    for days in LOOKBACK_DAYS:
        taken = [e.at for e in ctx.repo.logged_since(ctx.key, ctx.now - timedelta(days=days))
                 if e.medication_id == med.id and e.status == SlotStatus.TAKEN.value]
        if taken:
            return max(taken)
    return None
