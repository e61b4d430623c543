"""The send worker: one reminder message per claimed tick, exactly once (its unit of
work counts reminders sent and missed in usage).

One reminder message per pending dose stays in the chat: the worker stores the ids of
the message it sent in reminders/{rid} and, on the dose, which reminder stands for its
pending slot (`reminded`: slot and rid). A later reminder of the same slot (the hourly
repeat, or after a snooze), or of the next slot when the pending one was just recorded
missed, supersedes that reminder: once the new message is out, the old one is
retracted (Telegram deletes it; LINE cannot, the port makes that a no-op). A replayed
send retracts again, which is harmless; a completed one does nothing. The tick's
write-only step carries `reminded` over from the dose it read; should a write race
drop it, one old message stays in the chat, nothing worse.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.domain import usage
from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.errors import MessengerError
from shared.features.circle.alerts import planned
from shared.features.medication.repository import MedicationRepository
from shared.features.reminders import content
from shared.features.reminders.records import REMINDER_TTL, reminder_path
from shared.jobs import Job
from shared.plumbing import reach
from shared.plumbing.collections import user_path
from shared.plumbing.delivery import Delivery
from shared.plumbing.runner import Outcome
from shared.plumbing.work import Origin, TaskRef, UnitOfWork, Work
from shared.ports import Clock, DocumentStore, TaskQueue, Transaction

log = logging.getLogger(__name__)


@dataclass
class ReminderSend:
    store: DocumentStore
    clock: Clock
    delivery: Delivery
    work: UnitOfWork
    tasks: TaskQueue | None = None  # for the care circle's alert checks
    care_after_s: int = 3600  # settings.care_alert_after_s

    def send(self, task: dict[str, Any]) -> Outcome:
        rid = str(task["id"])

        def apply(decision: Decision) -> None:
            # First the care circle's missed-dose checks (named: a retry re-enqueues
            # nothing), so a patient who blocked the bot still has them.
            tasks = self.tasks
            for request in decision.jobs:
                if tasks is not None:
                    tasks.enqueue(request.job.value, request.payload, name=request.name,
                                  schedule_at=request.schedule_at)
            try:
                ids = self.delivery.deliver(decision)
            except MessengerError as error:
                if error.unreachable:  # blocked: no retry, and reminders stop here
                    self._unreachable(str(task["user"]), task)
                raise  # the unit of work completes a permanent error, retries the rest
            if decision.messages:
                self._supersede(rid, decision, ids)
                # The metric reminder_lateness (infra/terraform/monitoring.tf,
                # local.log_contract.reminder_sent) reads this line's lateness_s.
                log.info("reminder sent", extra={
                    "channel": decision.channel.value, "doses": len(task.get("items") or []),
                    "lateness_s": lateness_s(task, self.clock.now())})

        return self.work.run(TaskRef(Job.REMIND, rid),
                             lambda work, _: self._decide(work, rid, task), apply,
                             user=str(task["user"]), origin=Origin.of(task))

    def _decide(self, work: Work, rid: str, task: dict[str, Any]) -> Decision:
        items = [i for i in task.get("items") or [] if isinstance(i, dict)]
        doses = [MedicationRepository.dose_in(work, str(i["dose_id"])) for i in items]
        user = str(task["user"])
        profile = work.get(user_path(user)) or {}
        channel = Channel(str(profile.get("channel") or task.get("channel")
                              or user.split("-", 1)[0]))
        chat_id = str(profile.get("chat_id") or task.get("chat_id") or "")
        lang = str(profile.get("language") or task.get("language") or "en")
        # A dose taken ("done") between the tick and now is not reminded; the items go
        # in the order the reminder shows them (their index is their buttons' target).
        live = content.ordered([
            {**i, "zone": d.timezone} for i, d in zip(items, doses, strict=True)
            if d is not None and d.pending is not None and d.pending.slot == i["slot"]
        ]) if chat_id else []
        counts = {usage.REMINDERS_MISSED: int(task.get("missed") or 0)}
        # A slot reminded for the first time: its caregivers' alert check is planned
        # (features/circle/alerts.py), whether or not the patient can be reached.
        first = [i for i in live if (d := _dose(items, doses, i)) is not None
                 and (d.reminded is None or d.reminded.slot != i["slot"])]
        checks = planned(work, user, first, work.now, self.care_after_s)
        if live and reach.unreachable(profile):
            # Blocked or unfollowed: the schedule runs on, nothing is sent (no call, no
            # retry); they hear what they missed when they come back (plumbing/reach.py).
            reach.note_missed(profile, live)
            work.set(user_path(user), profile)
            counts[usage.REMINDERS_WITHHELD] = len(live)
            live = []
        if live:
            # Earlier reminders of these doses' pending (or just missed) slots: their
            # messages are retracted once this one is out (see _supersede).
            dose_of = {i["dose_id"]: d for i, d in zip(items, doses, strict=True) if d}
            supersedes = sorted({
                prior.rid for i in live
                if (prior := dose_of[i["dose_id"]].reminded) is not None
                and prior.rid != rid and prior.slot in (i["slot"], i.get("missed"))
            })
            work.set(reminder_path(rid), {"user_id": user, "items": live, "created_at": work.now,
                                          "chat_id": chat_id, "supersedes": supersedes,
                                          "expires_at": work.now + REMINDER_TTL})
            for i in live:
                MedicationRepository.mark_reminded(work, str(i["dose_id"]), i["slot"], rid)
            counts[usage.REMINDERS_SENT] = len(live)
        work.channel = channel.value
        work.count(counts)  # in the same transaction (plumbing/work.py)
        return Decision(
            channel=channel, chat_id=chat_id or "-", user_key=user,
            messages=[content.message(lang, rid, live, work.now)] if live else [],
            send_key=str(TaskRef(Job.REMIND, rid)), jobs=checks,
        )

    def _unreachable(self, user: str, task: dict[str, Any]) -> None:
        """The platform said the patient blocked the bot: note the reminder they missed
        (the unit of work marks them unreachable: plumbing/work.py)."""
        items = [i for i in task.get("items") or [] if isinstance(i, dict)]

        def mark(txn: Transaction) -> None:
            profile = txn.get(user_path(user))
            if profile is None:
                return
            reach.note_missed(profile, items)
            txn.set(user_path(user), profile)

        self.store.transaction(mark)

    def _supersede(self, rid: str, decision: Decision, ids: list[str]) -> None:
        """Record the sent message's ids, then retract the reminders it replaces.
        Idempotent: a replay writes the same ids and repeats harmless retractions."""
        path = reminder_path(rid)
        reminder = self.store.get(path)
        if reminder is None:
            return
        if ids and reminder.get("message_ids") != ids:
            self.store.set(path, {"message_ids": ids}, merge=True)
        messenger = self.delivery.messengers[decision.channel]
        for earlier in reminder.get("supersedes") or []:
            old = self.store.get(reminder_path(earlier))
            if old is None or old.get("user_id") != decision.user_key:
                continue
            message_ids = [str(i) for i in old.get("message_ids") or []]
            if message_ids:
                messenger.retract(str(old.get("chat_id") or decision.chat_id), message_ids)


def _dose(items: list[dict[str, Any]], doses: list[Any], item: dict[str, Any]) -> Any:
    for i, d in zip(items, doses, strict=True):
        if i["dose_id"] == item["dose_id"]:
            return d
    return None


def lateness_s(task: dict[str, Any], now: datetime) -> float:
    """Seconds since the earliest dose of a reminder task was due (0 if unknown)."""
    dues: list[datetime] = []
    for item in task.get("items") or []:
        due = item.get("due") if isinstance(item, dict) else None
        if not due:
            continue
        try:
            dues.append(datetime.fromisoformat(str(due)))
        except ValueError:
            continue
    if not dues:
        return 0.0
    return round(max(0.0, (now - min(dues)).total_seconds()), 1)
