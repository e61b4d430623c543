"""Refill reminders to caregivers (issue 15 item 4: "the caregiver can get it too").

The supply feature tells the patient once per refill when a medicine runs low, and once
when it runs out (features/supply/taken.py), on the turn of the Taken that crossed the
line, and passes that alert to `CircleRefills.low_supply` (its LowSupplyListener). If the
patient has caregivers, that turn enqueues one care task "refill" (one read when they
have none); the care worker (alerts.py) runs it:

- refill     (per alert): one `refill_one` per caregiver whose link shares refills;
- refill_one (per alert and caregiver): still shared, the caregiver reachable, and the
             supply still in that state (a patient who refilled meanwhile causes no
             stale message)? In the caregiver's quiet hours it waits until they end (a
             copy of itself); else the caregiver gets one line in their language and
             app: the patient's invite name, the medicine, "about N days left" or "has
             run out".

Exactly once per alert and caregiver: the supply raises each alert once per refill
(model.Supply.alert), the dialog's follow-up task has the same id on every retry, each
caregiver's task id is derived from it, and every care task runs once per id in a unit
of work. The task carries the medication id, the kind of alert and the days left, never
the medicine's name (read from the supply when sending), the count or the dosage: days
left is what a caregiver needs to act; the count with it would tell the daily dose.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.domain.decision import Decision, JobRequest
from shared.domain.schedule import zone_of
from shared.domain.signatures import stable_id
from shared.features.circle import sending, texts
from shared.features.circle.model import Share, quiet_until
from shared.features.circle.repository import (
    CircleRepository,
    circle_path,
    link_from,
    link_path,
)
from shared.features.medication.policy import QuietHours
from shared.features.supply.model import Alert
from shared.features.supply.repository import supply_path
from shared.features.supply.taken import LowSupply
from shared.jobs import Job
from shared.plumbing import reach
from shared.plumbing.collections import user_path
from shared.plumbing.turns import Reply, Turn
from shared.plumbing.work import TaskRef, Work
from shared.ports import DocumentStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CircleRefills:
    """The care circle's LowSupplyListener (features/supply/taken.py)."""

    store: DocumentStore

    def low_supply(self, turn: Turn, alert: LowSupply) -> Reply:
        circle = self.store.get(circle_path(alert.patient))
        if not circle or not circle.get("links"):
            return Reply()  # no caregivers: no task at all
        return Reply(jobs=[(Job.CARE, {
            "kind": "refill", "user": alert.patient, "medication_id": alert.medication_id,
            "alert": alert.alert.value, "days": alert.days})])


def fan_out(work: Work, task: dict[str, Any]) -> Decision:
    """Kind "refill": one task per caregiver whose link shares refills."""
    links = [k for k in CircleRepository.live_links(work, str(task["user"]))
             if k.has(Share.REFILLS)]
    # Only what the message needs and the erasure check reads (user, queued_at): not
    # the patient's chat, app or reply token that the dialog's follow-up carries.
    kept = {k: task[k] for k in ("user", "queued_at", "medication_id", "alert", "days")
            if k in task}
    jobs = [JobRequest(job=Job.CARE, name=TaskRef(Job.CARE, one).name, payload={
        **kept, "id": one, "kind": "refill_one", "caregiver": link.caregiver,
        "link": link.id}) for link in links
        if (one := stable_id("care-refill", str(task["id"]), link.caregiver))]
    log.info("care refill due", extra={"caregivers": len(jobs)})
    return sending.nothing(task).model_copy(update={"jobs": jobs})


def send_one(work: Work, task: dict[str, Any]) -> Decision:
    """Kind "refill_one": the caregiver's one message about this alert."""
    nothing = sending.nothing(task)
    doc = work.get(link_path(str(task.get("link") or "")))
    if doc is None:
        return nothing  # removed, left, or erased meanwhile
    link = link_from(str(task["link"]), doc)
    if not link.has(Share.REFILLS) or link.patient != str(task["user"]):
        return nothing
    if task.get("alert") not in {a.value for a in Alert}:
        log.warning("care refill of unknown alert")
        return nothing
    alert = Alert(str(task["alert"]))
    name = _still(work, str(task.get("medication_id") or ""), link.patient, alert)
    profile = work.get(user_path(link.caregiver)) or {}
    if name is None or not profile.get("chat_id") or reach.unreachable(profile):
        return nothing
    # The caregiver's quiet hours in their zone, else the patient's (as for alerts).
    patient = work.get(user_path(link.patient)) or {}
    zone = zone_of(str(profile.get("timezone") or patient.get("timezone") or "UTC"))
    until = quiet_until(work.now, QuietHours.parse(profile.get("quiet_hours")), zone)
    if until is not None and not task.get("after_quiet"):
        later = stable_id(str(task["id"]), "after-quiet")
        log.info("care refill waits for quiet hours to end")
        return nothing.model_copy(update={"jobs": [JobRequest(
            job=Job.CARE, name=TaskRef(Job.CARE, later).name, schedule_at=until,
            payload={**task, "id": later, "after_quiet": True})]})
    lang = str(profile.get("language") or "en")
    days = task.get("days")
    message = texts.refill(lang, link.patient_name, name, out=alert is Alert.OUT,
                           days=days if isinstance(days, int) else None)
    return sending.addressed(profile, link.caregiver, f"care:{task['id']}", [message])


def _still(work: Work, medication_id: str, patient: str, alert: Alert) -> str | None:
    """The medicine's name if its supply is still in the alert's state (None: refilled
    meanwhile, deleted, or not the patient's)."""
    doc = work.get(supply_path(medication_id)) if medication_id else None
    if doc is None or doc.get("user_id") != patient or not isinstance(doc.get("set_at"),
                                                                         datetime):
        return None
    if not doc.get("out_said" if alert is Alert.OUT else "warned"):
        return None
    return str(doc.get("name") or "") or None
