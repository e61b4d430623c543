"""Medication reminders: the per-minute tick, the send worker and the reminder buttons.

tick() (Cloud Scheduler, at least once, possibly late or skipped) reads only the doses
that are due (an indexed range query on next_due_at, one page) and nothing else: per
user, one write-only transaction claims each dose at the due instant it was read with
(create() of remind_claims/{dose, next_due_at}), moves it to its next state
(domain/schedule.py) and writes an outbox document holding the reminder. Document reads
per tick are therefore the due doses plus the outbox query (bench/reminder_tick.py).
After the commit the reminder is enqueued under a name derived from the doses' state,
and the outbox document deleted; a tick that crashed in between leaves the outbox
document for the next tick to re-enqueue. A duplicated tick either sees the first
one's writes (next_due_at has moved on) or fails its claim, and reminds once; a
skipped minute is caught up (next_due_at <= now). The send worker reads the user's
chat, channel and language.

One reminder message per pending dose stays in the chat: the send worker stores the ids
of the message it sent in reminders/{rid} and, on the dose, which reminder stands for
its pending slot (`reminded`: slot and rid). A later reminder of the same slot (the
hourly repeat, or after a snooze), or of the next slot when the pending one was just
recorded missed, supersedes that reminder: once the new message is out, the old one is
retracted (Telegram deletes it; LINE cannot, the port makes that a no-op). A replayed
send retracts again, which is harmless; a completed one does nothing. The tick's
write-only step carries `reminded` over from the dose it read; should a write race
drop it, one old message stays in the chat, nothing worse.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from shared.domain import usage
from shared.domain.channels import Channel, user_key
from shared.domain.decision import Decision
from shared.domain.dialog import ANY, DialogPart, Step
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.domain.schedule import (
    advance,
    close_slot,
    local_label,
    log_entry,
    zone_of,
)
from shared.domain.signatures import stable_id
from shared.jobs import Job
from shared.plumbing.delivery import Delivery
from shared.plumbing.runner import Outcome
from shared.plumbing.turns import Handler, Reply, Turn
from shared.plumbing.work import TaskRef, UnitOfWork, Work
from shared.ports import Clock, Conflict, Doc, DocumentStore, Filter, TaskQueue, Transaction

log = logging.getLogger(__name__)

OUTBOX: Final = "remind_outbox"
REMINDERS: Final = "reminders"  # each reminder sent: its doses, message ids, supersedes
CLAIMS: Final = "remind_claims"
REMINDER_TTL: Final = timedelta(days=7)  # buttons older than this answer "handled"
CLAIM_TTL: Final = timedelta(days=2)  # a claim only has to outlive duplicate ticks


class ReminderIntent(StrEnum):
    TAKEN = "reminder.taken"
    SNOOZE = "reminder.snooze"
    SKIP = "reminder.skip"


# The buttons under a reminder: rt|rz|rk:<reminder id>.
DIALOG: Final = DialogPart(
    verbs={"rt": ReminderIntent.TAKEN, "rz": ReminderIntent.SNOOZE, "rk": ReminderIntent.SKIP},
    rows={(ANY, ReminderIntent.TAKEN): Step("reminder_taken"),
          (ANY, ReminderIntent.SNOOZE): Step("reminder_snooze"),
          (ANY, ReminderIntent.SKIP): Step("reminder_skip")},
)

def claim_path(dose_id: str, due: datetime) -> str:
    # One claim per (dose, due instant): create() succeeds for exactly one tick.
    return f"{CLAIMS}/{stable_id(dose_id, due.astimezone(UTC).isoformat())}"


def dose_log_path(dose_id: str, slot: str) -> str:
    # One log entry per (dose, slot): a repeated tap or tick cannot log twice.
    return f"dose_log/{stable_id(dose_id, slot)}"


@dataclass
class ReminderService:
    store: DocumentStore
    tasks: TaskQueue
    clock: Clock
    delivery: Delivery
    repeat_every_s: int = 3600
    page: int = 500
    parallel: int = 16  # concurrent claim transactions in one tick
    snooze_s: int = 900
    work: UnitOfWork | None = None  # the container's; by default one of its own

    def __post_init__(self) -> None:
        self.work = self.work or UnitOfWork(self.store, self.clock)

    # ------------------------------------------------------------------ tick
    def tick(self) -> dict[str, int]:
        now = self.clock.now()
        enqueued = self._flush_outbox()
        rows = self.store.query("doses", [Filter("next_due_at", "<=", now)],
                                order_by="next_due_at", limit=self.page)
        by_user: dict[str, list[tuple[str, Doc]]] = {}
        for path, dose in rows:
            by_user.setdefault(str(dose["user_id"]), []).append((path, dose))
        # One small write-only transaction per user, several at once (independent users).
        def claim(group: tuple[str, list[tuple[str, Doc]]]) -> tuple[str, Doc] | None:
            return self._claim_user(group[0], group[1], now)

        if len(by_user) > 1:
            with ThreadPoolExecutor(max_workers=self.parallel) as pool:
                claims = list(pool.map(claim, by_user.items()))
        else:
            claims = [claim(group) for group in by_user.items()]
        for claimed in claims:
            if claimed is not None:
                enqueued += self._dispatch(*claimed)
        log.info("reminder tick", extra={"due": len(rows), "users": len(by_user),
                                         "enqueued": enqueued})
        return {"due": len(rows), "users": len(by_user), "enqueued": enqueued}

    def _claim_user(
        self, user: str, doses: list[tuple[str, Doc]], now: datetime
    ) -> tuple[str, Doc] | None:
        try:
            return self.store.transaction(lambda txn: self._claim(txn, user, doses, now))
        except Conflict:
            return None  # another tick claimed these doses first (a duplicated tick)

    def _claim(
        self, txn: Transaction, user: str, doses: list[tuple[str, Doc]], now: datetime
    ) -> tuple[str, Doc] | None:
        """Writes only, no reads (reads per tick = due doses + a constant): each dose is
        claimed at the due instant the query saw with create(), so a tick that runs
        twice, or late with a stale page, fails its commit instead of reminding twice."""
        items: list[Doc] = []
        missed = 0
        for path, dose in doses:
            dose_id = path.split("/", 1)[1]
            txn.create(claim_path(dose_id, dose["next_due_at"]),
                       {"user_id": user, "expires_at": now + CLAIM_TTL})
            step = advance(dose, now, timedelta(seconds=self.repeat_every_s))
            txn.set(path, step.dose)
            if step.missed:
                missed += 1
                txn.set(dose_log_path(dose_id, step.missed),
                        log_entry(dose_id, dose, step.missed, "missed", now))
            if step.remind:
                item = _item(dose_id, step.dose, due=dose["next_due_at"])
                if step.missed:
                    item["missed"] = step.missed  # its reminder message is retracted
                items.append(item)
        if not items:
            return None
        # Named after the doses' state: a re-run of this step yields the same id.
        rid = stable_id(user, *(f"{i['dose_id']}|{i['slot']}|{i['sent']}" for i in items))
        # Who and where (chat, channel, language) is read by the send worker, not here.
        payload = {"id": rid, "user": user, "items": items, "missed": missed}
        txn.set(f"{OUTBOX}/{rid}", {"payload": payload, "user_id": user, "created_at": now})
        return rid, payload

    def _dispatch(self, rid: str, payload: Doc) -> int:
        added = self.tasks.enqueue(Job.REMIND.value, payload, name=TaskRef(Job.REMIND, rid).name)
        self.store.delete(f"{OUTBOX}/{rid}")
        return int(added)

    def _flush_outbox(self) -> int:
        """Re-enqueue reminders a crashed tick committed but did not enqueue."""
        rows = self.store.query(OUTBOX, limit=self.page)
        return sum(self._dispatch(path.split("/", 1)[1], doc["payload"]) for path, doc in rows)

    # ------------------------------------------------------------------ send
    def send(self, task: dict[str, Any]) -> Outcome:
        rid = str(task["id"])

        def apply(decision: Decision) -> None:
            ids = self.delivery.deliver(decision)
            if decision.messages:
                self._supersede(rid, decision, ids)
                # The metric reminder_lateness (infra/terraform/monitoring.tf,
                # local.log_contract.reminder_sent) reads this line's lateness_s.
                log.info("reminder sent", extra={
                    "channel": decision.channel.value, "doses": len(task.get("items") or []),
                    "lateness_s": lateness_s(task, self.clock.now())})

        assert self.work is not None
        return self.work.run(TaskRef(Job.REMIND, rid),
                             lambda work, _: self._decide_send(work, rid, task), apply,
                             user=str(task["user"]))

    def _decide_send(self, work: Work, rid: str, task: dict[str, Any]) -> Decision:
        items = [i for i in task.get("items") or [] if isinstance(i, dict)]
        doses = [work.get(f"doses/{i['dose_id']}") for i in items]
        user = str(task["user"])
        profile = work.get(f"users/{user}") or {}
        now = work.now
        channel = Channel(str(profile.get("channel") or task.get("channel")
                              or user.split("-", 1)[0]))
        chat_id = str(profile.get("chat_id") or task.get("chat_id") or "")
        lang = str(profile.get("language") or task.get("language") or "en")
        # A dose taken ("done") between the tick and now is not reminded.
        live = [i for i, d in zip(items, doses, strict=True)
                if d is not None and d.get("pending_slot") == i["slot"]] if chat_id else []
        counts = {usage.REMINDERS_MISSED: int(task.get("missed") or 0)}
        if live:
            # Earlier reminders of these doses' pending (or just missed) slots: their
            # messages are retracted once this one is out (see _supersede).
            dose_of = {i["dose_id"]: d for i, d in zip(items, doses, strict=True) if d}
            supersedes = sorted({
                str(prior["rid"]) for i in live
                if isinstance(prior := dose_of[i["dose_id"]].get("reminded"), dict)
                and prior.get("rid") and prior.get("rid") != rid
                and prior.get("slot") in (i["slot"], i.get("missed"))
            })
            work.set(f"{REMINDERS}/{rid}", {"user_id": user, "items": live, "created_at": now,
                                         "chat_id": chat_id, "supersedes": supersedes,
                                         "expires_at": now + REMINDER_TTL})
            for i in live:
                work.set(f"doses/{i['dose_id']}",
                        {"reminded": {"slot": i["slot"], "rid": rid}}, merge=True)
            counts[usage.REMINDERS_SENT] = len(live)
        work.channel = channel.value
        work.count(counts)  # in the same transaction (plumbing/work.py)
        return Decision(
            channel=channel, chat_id=chat_id or "-", user_key=user,
            messages=[reminder_message(lang, rid, live)] if live else [],
            send_key=str(TaskRef(Job.REMIND, rid)),
        )

    def _supersede(self, rid: str, decision: Decision, ids: list[str]) -> None:
        """Record the sent message's ids, then retract the reminders it replaces.
        Idempotent: a replay writes the same ids and repeats harmless retractions."""
        path = f"{REMINDERS}/{rid}"
        reminder = self.store.get(path)
        if reminder is None:
            return
        if ids and reminder.get("message_ids") != ids:
            self.store.set(path, {"message_ids": ids}, merge=True)
        messenger = self.delivery.messengers[decision.channel]
        for earlier in reminder.get("supersedes") or []:
            old = self.store.get(f"{REMINDERS}/{earlier}")
            if old is None or old.get("user_id") != decision.user_key:
                continue
            message_ids = [str(i) for i in old.get("message_ids") or []]
            if message_ids:
                messenger.retract(str(old.get("chat_id") or decision.chat_id), message_ids)

    # ------------------------------------------------------------------ buttons
    def actions(self) -> dict[str, Handler]:
        return {
            "reminder_taken": self._resolver("taken"),
            "reminder_skip": self._resolver("skipped"),
            "reminder_snooze": self.snooze,
        }

    def _resolver(self, status: str) -> Handler:
        return lambda turn: self.resolve(turn, status)

    def resolve(self, turn: Turn, status: str) -> Reply:
        writes: list[tuple[str, Doc | None]] = []
        names: list[str] = []
        for item, dose in self._pending(turn):
            path = f"doses/{item['dose_id']}"
            writes.append((path, close_slot(dose)))
            writes.append((dose_log_path(item["dose_id"], item["slot"]),
                           log_entry(item["dose_id"], dose, item["slot"], status, turn.now)))
            names.append(str(item["name"]))
        if not names:
            return Reply([Text(text=t(turn.lang, "remind.handled"))])
        return Reply([Text(text=t(turn.lang, f"remind.{status}", names=", ".join(names)))],
                     writes=writes, usage={usage.reminder_counter(status): len(names)})

    def snooze(self, turn: Turn) -> Reply:
        later = turn.now + timedelta(seconds=self.snooze_s)
        writes: list[tuple[str, Doc | None]] = []
        label = ""
        for item, dose in self._pending(turn):
            due = min(later, dose["next_slot_at"])  # the next slot still starts on time
            writes.append((f"doses/{item['dose_id']}", {**dose, "next_due_at": due}))
            label = local_label(due, zone_of(str(dose["timezone"])))[-5:]
        if not writes:
            return Reply([Text(text=t(turn.lang, "remind.handled"))])
        return Reply([Text(text=t(turn.lang, "remind.snoozed", time=label))], writes=writes)

    def _pending(self, turn: Turn) -> list[tuple[Doc, Doc]]:
        """(item, dose) of the tapped reminder whose slot is still pending.

        Read outside the dialog transaction (handlers see no transaction); the writes
        go in it. A tick racing with the tap can at worst repeat one reminder."""
        reminder = self.store.get(f"{REMINDERS}/{turn.argument}") if turn.argument else None
        owner = user_key(turn.event.channel, turn.event.user_id)
        if reminder is None or reminder.get("user_id") != owner:
            return []
        pending: list[tuple[Doc, Doc]] = []
        for item in reminder.get("items") or []:
            dose = self.store.get(f"doses/{item['dose_id']}")
            if dose is not None and dose.get("pending_slot") == item["slot"]:
                pending.append((item, dose))
        return pending


def _item(dose_id: str, dose: Doc, due: datetime | None = None) -> Doc:
    item = {"dose_id": dose_id, "slot": dose["pending_slot"], "sent": dose["sent"],
            "name": dose.get("name", ""), "dosage": dose.get("dosage") or "",
            "time": dose.get("time", "")}
    if due is not None:
        item["due"] = due.isoformat()  # when the tick should have reminded (lateness)
    return item


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


def reminder_message(lang: str, rid: str, items: list[Doc]) -> Text:
    repeat = any(int(i.get("sent") or 1) > 1 for i in items)
    lines = [t(lang, "remind.again" if repeat else "remind.title")]
    lines += [t(lang, "remind.item", time=i["time"], name=i["name"], dosage=i["dosage"]).rstrip()
              for i in items]
    buttons: list[tuple[str, str]] = [("button.taken", "rt"), ("button.snooze", "rz"),
                                      ("button.skip", "rk")]
    return Text(text="\n".join(lines),
                buttons=[Button(label=t(lang, key), data=f"{verb}:{rid}") for key, verb in buttons])

