"""The care worker (Job.CARE): missed-dose alerts and the circle's messages to others.

How an alert comes about (no scan, no new schedule): when the remind worker sends the
FIRST reminder of a dose slot of a patient who has caregivers, it enqueues a care task
"alert" for slot + the patient's delay (CARE_ALERT_AFTER_S by default), named after the
dose slot (`planned`). Cloud Tasks holds it until then; the local stack's task queue
holds it by the movable clock (shared/adapters/http_tasks.py), so the simulator's
"+1 h" fires it too. Every kind runs once per task id in a unit of work, and its ids
are deterministic, so a duplicated or late tick, a replayed reminder, a re-enqueue
Cloud Tasks accepts after its name expired: all find the same record and do nothing.

Kinds:
- alert     (per dose slot): still unanswered? then one `alert_one` per caregiver
            whose link shares alerts;
- alert_one (per dose slot and caregiver): unanswered and shared still? In the
            caregiver's quiet hours it waits until they end (a copy of itself
            scheduled then, which asks again); else creates care_alerts/{id} and sends
            the alert in the caregiver's language and app, with "I called them";
- handled   another caregiver tapped "I called them": Telegram edits the alert (no
            button, "handled by ..."), LINE (no edits) gets a short follow-up;
- tell      one line to another user (the patient: who joined / left; a caregiver:
            removed);
- refill, refill_one  a patient's medicine runs low or out (refills.py).
Logs carry kinds and counts only: never names, medicines, codes or texts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.domain.channels import Channel
from shared.domain.decision import Decision, JobRequest
from shared.domain.errors import MessengerError
from shared.domain.i18n import t
from shared.domain.messages import Button, Edit, Text
from shared.domain.schedule import zone_of
from shared.domain.signatures import stable_id
from shared.features.circle import refills, sending, texts
from shared.features.circle.model import (
    ALERT_TTL,
    Share,
    SlotAnswer,
    alert_group,
    alert_id,
    quiet_until,
    unanswered,
)
from shared.features.circle.repository import (
    CircleRepository,
    alert_path,
    circle_path,
    link_from,
    link_path,
)
from shared.features.medication.policy import QuietHours
from shared.features.medication.repository import MedicationRepository, dose_log_path
from shared.jobs import Job
from shared.plumbing import reach
from shared.plumbing.collections import user_path
from shared.plumbing.delivery import Delivery
from shared.plumbing.runner import Outcome
from shared.plumbing.work import Origin, TaskRef, UnitOfWork, Work
from shared.ports import Doc, TaskQueue, Transaction

log = logging.getLogger(__name__)


def planned(txn: Transaction, user: str, items: list[Doc], now: datetime,
            default_after_s: int) -> list[JobRequest]:
    """The alert tasks a reminder send starts: one per dose slot it reminds of for the
    first time, if the patient has caregivers (one read when they have none)."""
    circle = txn.get(circle_path(user))
    if not circle or not circle.get("links"):
        return []
    after = timedelta(seconds=int(circle.get("alert_after_s") or default_after_s))
    requests = []
    for item in items:
        dose_id, slot = str(item.get("dose_id") or ""), str(item.get("slot") or "")
        if not dose_id or not slot:
            continue
        group = alert_group(dose_id, slot)
        at = datetime.fromisoformat(slot) + after
        requests.append(JobRequest(
            job=Job.CARE, name=TaskRef(Job.CARE, group).name, schedule_at=max(at, now),
            payload={"id": group, "kind": "alert", "user": user, "dose_id": dose_id,
                     "slot": slot, "queued_at": now.isoformat()}))
    return requests


@dataclass
class CareWorker:
    work: UnitOfWork
    delivery: Delivery
    tasks: TaskQueue
    alert_after_s: int = 3600  # settings.care_alert_after_s

    def run(self, task: dict[str, Any]) -> Outcome:
        kind = str(task.get("kind") or "")
        decide = {"alert": self._alert, "alert_one": self._alert_one,
                  "handled": self._handled, "tell": self._tell,
                  "refill": refills.fan_out, "refill_one": refills.send_one}.get(kind)
        if decide is None:
            log.warning("care task of unknown kind", extra={"kind": kind[:20]})
            return Outcome.DONE
        log.info("care task", extra={"kind": kind})
        return self.work.run(TaskRef(Job.CARE, str(task["id"])),
                             lambda work, _: decide(work, task), self._apply,
                             user=str(task["user"]), origin=Origin.of(task))

    # ------------------------------------------------------------------ effects
    def _apply(self, decision: Decision) -> None:
        ids: list[str] = []
        if decision.messages or decision.edits:
            try:
                ids = self.delivery.deliver(decision)
            except MessengerError as error:
                if not error.unreachable:
                    raise
                log.info("care message not delivered: unreachable")
        for request in decision.jobs:
            self.tasks.enqueue(request.job.value, request.payload, name=request.name,
                               schedule_at=request.schedule_at)
        alert = decision.send_key.removeprefix("care-alert:")
        if ids and alert != decision.send_key:  # the alert's message, for later edits
            self.delivery.store.set(alert_path(alert), {"message_ids": ids}, merge=True)

    # ------------------------------------------------------------------ kinds
    def _alert(self, work: Work, task: dict[str, Any]) -> Decision:
        user, dose_id, slot = str(task["user"]), str(task["dose_id"]), str(task["slot"])
        nothing = sending.nothing(task)
        if _answer(work, dose_id, slot) is not SlotAnswer.OPEN:
            return nothing
        circle = work.get(circle_path(user)) or {}
        due = datetime.fromisoformat(slot) + timedelta(
            seconds=int(circle.get("alert_after_s") or self.alert_after_s))
        if due > work.now + timedelta(seconds=30):  # the patient chose a longer delay
            later = stable_id(str(task["id"]), due.isoformat())
            return nothing.model_copy(update={"jobs": [JobRequest(
                job=Job.CARE, name=TaskRef(Job.CARE, later).name, schedule_at=due,
                payload={**task, "id": later})]})
        links = [k for k in CircleRepository.live_links(work, user) if k.has(Share.ALERTS)]
        jobs = [JobRequest(job=Job.CARE, name=TaskRef(Job.CARE, aid).name, payload={
            **task, "id": aid, "kind": "alert_one", "caregiver": link.caregiver,
            "link": link.id}) for link in links
            if (aid := alert_id(dose_id, slot, link.caregiver))]
        log.info("care alert due", extra={"caregivers": len(jobs)})
        return nothing.model_copy(update={"jobs": jobs})

    def _alert_one(self, work: Work, task: dict[str, Any]) -> Decision:
        nothing = sending.nothing(task)
        link_doc = work.get(link_path(str(task["link"])))
        if link_doc is None:
            return nothing
        link = link_from(str(task["link"]), link_doc)
        dose_id, slot = str(task["dose_id"]), str(task["slot"])
        if not link.has(Share.ALERTS) or _answer(work, dose_id, slot) is not SlotAnswer.OPEN:
            return nothing
        profile = work.get(user_path(link.caregiver)) or {}
        aid = alert_id(dose_id, slot, link.caregiver)
        if not profile.get("chat_id") or reach.unreachable(profile) \
                or work.get(alert_path(aid)) is not None:
            return nothing  # blocked the bot, or alerted already (create-if-absent)
        dose = MedicationRepository.dose_in(work, dose_id)
        if dose is None:
            return nothing
        # The caregiver's quiet hours in their zone; one who never gave a zone is taken
        # to live in the patient's (family nearby), never in UTC.
        quiet = QuietHours.parse(profile.get("quiet_hours"))
        zone = zone_of(str(profile.get("timezone") or dose.timezone))
        until = quiet_until(work.now, quiet, zone)
        if until is not None and not task.get("after_quiet"):
            later = stable_id(str(task["id"]), "after-quiet")
            log.info("care alert waits for quiet hours to end")
            return nothing.model_copy(update={"jobs": [JobRequest(
                job=Job.CARE, name=TaskRef(Job.CARE, later).name, schedule_at=until,
                payload={**task, "id": later, "after_quiet": True})]})
        lang = str(profile.get("language") or "en")
        text = texts.alert(lang, link.patient_name, dose.name, datetime.fromisoformat(slot),
                           dose.timezone)
        work.set(alert_path(aid), {
            "user_id": link.patient, "caregiver_id": link.caregiver, "link_id": link.id,
            "group": alert_group(dose_id, slot), "text": text, "handled": False,
            "created_at": work.now, "expires_at": work.now + ALERT_TTL})
        message = Text(text=text, buttons=[Button(label=t(lang, "circle.button.called"),
                                                  data=f"cgok:{aid}")])
        return sending.addressed(profile, link.caregiver, f"care-alert:{aid}", [message])

    def _handled(self, work: Work, task: dict[str, Any]) -> Decision:
        doc = work.get(alert_path(str(task["alert"])))
        if doc is None:
            return sending.nothing(task)
        caregiver = str(doc.get("caregiver_id") or "")
        profile = work.get(user_path(caregiver)) or {}
        lang = str(profile.get("language") or "en")
        line = t(lang, "circle.alert.handled",
                 name=texts.caregiver(lang, str(doc.get("handled_by") or "")))
        ids = [str(i) for i in doc.get("message_ids") or []]
        if ids and str(profile.get("channel") or "") == Channel.TELEGRAM.value:
            shown = Text(text=f"{doc.get('text') or ''}\n\n{line}")
            decision = sending.addressed(profile, caregiver, f"care:{task['id']}", [])
            return decision.model_copy(update={"edits": [
                Edit(message_id=ids[-1], message=shown, fallback=Text(text=line))]})
        return sending.addressed(profile, caregiver, f"care:{task['id']}", [Text(text=line)])

    def _tell(self, work: Work, task: dict[str, Any]) -> Decision:
        to = str(task.get("to") or "")
        profile = work.get(user_path(to)) if to else None
        if not profile:
            return sending.nothing(task)
        lang = str(profile.get("language") or "en")
        key = str(task.get("key") or "")
        name = str(task.get("name") or "")
        if task.get("link"):
            doc = work.get(link_path(str(task["link"])))
            if doc is None:
                return sending.nothing(task)
            name = link_from(str(task["link"]), doc).caregiver_label
        values = {"circle.patient.joined": {"name": texts.caregiver(lang, name)},
                  "circle.patient.left": {"name": texts.caregiver(lang, name)},
                  "circle.caregiver.removed": {"name": texts.patient(lang, name)}}.get(key)
        if values is None:
            return sending.nothing(task)
        return sending.addressed(profile, to, f"care:{task['id']}",
                                 [texts.say(lang, key, **values)])


def _answer(work: Work, dose_id: str, slot: str) -> SlotAnswer:
    dose = MedicationRepository.dose_in(work, dose_id)
    if dose is None:
        return SlotAnswer.GONE
    logged = work.get(dose_log_path(dose_id, slot))
    return unanswered(dose.pending.slot if dose.pending else None,
                      str(logged.get("status")) if logged else None, slot)
