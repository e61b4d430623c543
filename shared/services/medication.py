"""Medication schedules from chat commands: the DialogService.medication handler.

Free text in medication mode is parsed by the deterministic parser
(shared/medication/parser.py) and dispatched by kind. Each medication is a
`medications/{id}` document and each of its times a `doses/{id}` document that the
reminder tick reads (services/reminders.py). Ids derive from the user and the
medication name (and time), so re-running a handler after a transaction retry writes
the same documents.

Handlers run inside the dialog transaction, which offers no queries: the user's
schedule is read with plain store queries first, and every change is returned as
Reply.writes for the dialog to commit together with the session.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from shared.domain.channels import user_key
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.domain.schedule import (
    DEFAULT_ZONES,
    close_slot,
    local_label,
    log_entry,
    new_dose,
    next_occurrence,
    normalize_hhmm,
    resolve_zone,
    rezone,
    zone_of,
)
from shared.domain.signatures import stable_id
from shared.medication.models import CommandItem as Item
from shared.medication.models import ParsedCommand as Command
from shared.medication.parser import parse_command
from shared.ports import Doc, DocumentStore, Filter
from shared.services.dialog import Handler, Reply, Turn
from shared.services.reminders import dose_log_path

# Offered when a time is missing from "add" (local wall times).
SUGGESTED_TIMES: Final = ("08:00", "12:00", "18:00", "21:00")
MAX_BUTTONS: Final = 12  # LINE shows at most 13 quick replies
WEEK: Final = timedelta(days=7)
ON_TIME: Final = timedelta(hours=1)  # taken within an hour of the slot counts as on time

Writes = list[tuple[str, Doc | None]]


def fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


@dataclass(frozen=True)
class Medication:
    id: str
    name: str
    dosage: str
    times: list[str]

    @property
    def path(self) -> str:
        return f"medications/{self.id}"


@dataclass
class Context:
    """What one command looks at: the user's settings and schedule."""

    turn: Turn
    key: str
    zone: str | None
    meds: list[Medication]
    doses: dict[str, Doc]  # path -> dose

    @property
    def lang(self) -> str:
        return self.turn.lang

    @property
    def now(self) -> datetime:
        return self.turn.now

    def find(self, name: str) -> Medication | None:
        wanted = fold(name)
        return next((m for m in self.meds if fold(m.name) == wanted), None)

    def doses_of(self, med: Medication) -> dict[str, Doc]:
        return {p: d for p, d in self.doses.items() if d.get("medication_id") == med.id}


def med_id(key: str, name: str) -> str:
    return stable_id(key, "medication", fold(name))


def dose_path(medication_id: str, hhmm: str) -> str:
    return f"doses/{stable_id(medication_id, hhmm)}"


def _say(lang: str, key: str, buttons: Sequence[Button] = (), **values: object) -> Text:
    return Text(text=t(lang, key, **values), buttons=list(buttons))


def _dosage(value: str | None) -> str:
    return f" {value}" if value else ""


@dataclass
class MedicationService:
    store: DocumentStore
    commands: dict[str, Callable[[Context, Command], Reply]] = field(init=False)
    buttons: dict[str, Callable[[Context, str], Reply]] = field(init=False)

    def __post_init__(self) -> None:
        self.commands = {
            "add": self.add, "list": self.show_list, "delete": self.delete, "done": self.done,
            "time_change": self.change_time, "dose_change": self.change_dose,
            "timezone_change": self.change_zone, "help": self.help,
        }
        # Button data "med:<action>:<argument>" (BUTTON_VERBS "med" in domain/dialog.py).
        self.buttons = {
            "tz": self.zone_button, "at": self.time_button, "del": self.delete_button,
            "week": self.week_button,
        }

    # ------------------------------------------------------------------ entry points
    def __call__(self, turn: Turn) -> Reply:
        """Free text in medication mode."""
        return self.run_text(self._context(turn), turn.argument)

    def actions(self) -> dict[str, Handler]:
        return {"medication_button": self.button}

    def button(self, turn: Turn) -> Reply:
        action, _, argument = turn.argument.partition(":")
        handler = self.buttons.get(action)
        if handler is None:
            return self.help(self._context(turn), None)
        return handler(self._context(turn), argument)

    def run_text(self, ctx: Context, text: str) -> Reply:
        command: Command | None = parse_command(text, [m.name for m in ctx.meds])
        if command is None or command.kind not in self.commands:
            if resolve_zone(text):  # a bare "Europe/Berlin" or "+03:00" answers the question
                return self.zone_button(ctx, text)
            return Reply([_say(ctx.lang, "med.unknown")])
        if ctx.zone is None and command.kind not in ("timezone_change", "help"):
            return self.ask_zone(ctx, pending=text)
        return self.commands[command.kind](ctx, command)

    # ------------------------------------------------------------------ reads
    def _context(self, turn: Turn) -> Context:
        key = user_key(turn.event.channel, turn.event.user_id)
        mine = [Filter("user_id", "==", key)]
        meds = [Medication(path.split("/", 1)[1], str(doc["name"]), str(doc.get("dosage") or ""),
                           list(doc.get("times") or []))
                for path, doc in self.store.query("medications", mine)]
        doses = dict(self.store.query("doses", mine))
        zone = turn.user.get("timezone")
        return Context(turn, key, str(zone) if zone else None, meds, doses)

    # ------------------------------------------------------------------ time zone
    def ask_zone(self, ctx: Context, pending: str | None = None, key: str = "med.tz.ask") -> Reply:
        default = DEFAULT_ZONES.get(ctx.lang, "UTC")
        zones = dict.fromkeys((default, *DEFAULT_ZONES.values()))
        buttons = [Button(label=z, data=f"med:tz:{z}") for z in zones]
        session = {"med_pending": pending} if pending else {}
        return Reply([_say(ctx.lang, key, buttons, zone=default)], session=session)

    def change_zone(self, ctx: Context, command: Command | None) -> Reply:
        return self.zone_button(ctx, (command.timezone if command else None) or "")

    def zone_button(self, ctx: Context, text: str) -> Reply:
        resolved = resolve_zone(text) if text else None
        if resolved is None:
            return self.ask_zone(ctx, key="med.tz.invalid")
        name, tz = resolved
        writes: Writes = [(p, rezone(d, name, ctx.now)) for p, d in ctx.doses.items()]
        reply = Reply([_say(ctx.lang, "med.tz.set", zone=name,
                            local=local_label(ctx.now, tz))],
                      user={"timezone": name}, session={"med_pending": None}, writes=writes)
        pending = ctx.turn.session.get("med_pending")
        if isinstance(pending, str) and pending:
            # The command that was waiting for the time zone runs now.
            ctx.zone = name
            ctx.doses = {p: d for p, d in writes if d is not None}
            reply = _merge(reply, self.run_text(ctx, pending))
        return reply

    # ------------------------------------------------------------------ add
    def add(self, ctx: Context, command: Command) -> Reply:
        reply = Reply()
        for item in command.items:
            times = [h for h in (normalize_hhmm(x) for x in item.times) if h]
            if not times:
                # Ask for the time; the answer (a button) completes this item.
                buttons = [Button(label=h, data=f"med:at:{h}") for h in SUGGESTED_TIMES]
                reply = _merge(reply, Reply(
                    [_say(ctx.lang, "med.time.ask", buttons, name=item.name)],
                    session={"med_pending_add": {"name": item.name, "dosage": item.dosage}}))
                break
            reply = _merge(reply, self._add_one(ctx, item.name, item.dosage, times))
        if not command.items:
            return Reply([_say(ctx.lang, "med.unknown")])
        return reply

    def time_button(self, ctx: Context, hhmm: str) -> Reply:
        pending = ctx.turn.session.get("med_pending_add")
        time = normalize_hhmm(hhmm)
        if not isinstance(pending, dict) or time is None or ctx.zone is None:
            return Reply([_say(ctx.lang, "med.unknown")])
        reply = self._add_one(ctx, str(pending["name"]), pending.get("dosage"), [time])
        return _merge(reply, Reply(session={"med_pending_add": None}))

    def _add_one(self, ctx: Context, name: str, dosage: str | None, times: list[str]) -> Reply:
        assert ctx.zone is not None
        existing = ctx.find(name)
        mid = existing.id if existing else med_id(ctx.key, name)
        shown = existing.name if existing else name.strip()
        dose = dosage or (existing.dosage if existing else "")
        all_times = sorted({*(existing.times if existing else []), *times})
        med = {"user_id": ctx.key, "name": shown, "dosage": dose, "times": all_times}
        writes: Writes = [(f"medications/{mid}", med)]
        for hhmm in all_times:
            path = dose_path(mid, hhmm)
            current = ctx.doses.get(path)
            fields = {"user_id": ctx.key, "medication_id": mid, "name": shown, "dosage": dose}
            doc = ({**current, **fields} if current
                   else new_dose(fields, hhmm, ctx.zone, ctx.now))
            writes.append((path, doc))
        first = min(next_occurrence(h, zone_of(ctx.zone), ctx.now) for h in times)
        ctx.meds = [m for m in ctx.meds if m.id != mid] + [
            Medication(mid, shown, dose, all_times)]
        ctx.doses.update({p: d for p, d in writes if p.startswith("doses/") and d})
        text = _say(ctx.lang, "med.added", name=shown, dosage=_dosage(dose),
                    times=", ".join(all_times), first=local_label(first, zone_of(ctx.zone)))
        return Reply([text], writes=writes)

    # ------------------------------------------------------------------ list / help
    def show_list(self, ctx: Context, command: Command | None) -> Reply:
        if not ctx.meds:
            return Reply([_say(ctx.lang, "med.list.empty")])
        lines = [t(ctx.lang, "med.list.title", zone=ctx.zone or "UTC")]
        lines += [t(ctx.lang, "med.list.item", name=m.name, dosage=_dosage(m.dosage),
                    times=", ".join(m.times)) for m in sorted(ctx.meds, key=lambda m: m.times)]
        week = Button(label=t(ctx.lang, "med.week.button"), data="med:week")
        return Reply([Text(text="\n".join(lines), buttons=[week])])

    def help(self, ctx: Context, command: Command | None) -> Reply:
        return Reply([_say(ctx.lang, "med.help")])

    # ------------------------------------------------------------------ delete
    def delete(self, ctx: Context, command: Command) -> Reply:
        if not ctx.meds:
            return Reply([_say(ctx.lang, "med.list.empty")])
        found = [ctx.find(i.name) for i in command.items]
        meds = [m for m in found if m is not None]
        if not meds or len(meds) < len(found):
            return self._which(ctx, "med.delete.which")
        reply = Reply()
        for med in meds:
            reply = _merge(reply, self._delete_one(ctx, med))
        return reply

    def delete_button(self, ctx: Context, mid: str) -> Reply:
        med = next((m for m in ctx.meds if m.id == mid), None)
        return self._delete_one(ctx, med) if med else self.show_list(ctx, None)

    def _delete_one(self, ctx: Context, med: Medication) -> Reply:
        writes: Writes = [(med.path, None), *((p, None) for p in ctx.doses_of(med))]
        return Reply([_say(ctx.lang, "med.deleted", name=med.name)], writes=writes)

    def _which(self, ctx: Context, key: str) -> Reply:
        buttons = [Button(label=m.name[:20], data=f"med:del:{m.id}")
                   for m in ctx.meds[:MAX_BUTTONS]]
        return Reply([_say(ctx.lang, key, buttons,
                           names=", ".join(m.name for m in ctx.meds))])

    # ------------------------------------------------------------------ changes
    def _one(self, ctx: Context, command: Command) -> tuple[Medication | None, Item | None]:
        item = command.items[0] if command.items else None
        if item is None and len(ctx.meds) == 1:
            return ctx.meds[0], None
        return (ctx.find(item.name) if item else None), item

    def change_dose(self, ctx: Context, command: Command) -> Reply:
        med, item = self._one(ctx, command)
        if med is None or item is None or not item.dosage:
            return Reply([_say(ctx.lang, "med.change.which",
                               names=", ".join(m.name for m in ctx.meds))])
        writes: Writes = [(med.path, {"user_id": ctx.key, "name": med.name,
                                      "dosage": item.dosage, "times": med.times})]
        writes += [(p, {**d, "dosage": item.dosage}) for p, d in ctx.doses_of(med).items()]
        return Reply([_say(ctx.lang, "med.dose.changed", name=med.name, dosage=item.dosage)],
                     writes=writes)

    def change_time(self, ctx: Context, command: Command) -> Reply:
        med, item = self._one(ctx, command)
        times = sorted({h for h in (normalize_hhmm(x) for x in (item.times if item else [])) if h})
        if med is None or not times:
            return Reply([_say(ctx.lang, "med.change.which",
                               names=", ".join(m.name for m in ctx.meds))])
        assert ctx.zone is not None
        old = ctx.doses_of(med)
        fields = {"user_id": ctx.key, "medication_id": med.id, "name": med.name,
                  "dosage": med.dosage}
        keep = {dose_path(med.id, h): h for h in times}
        writes: Writes = [(med.path, {"user_id": ctx.key, "name": med.name,
                                      "dosage": med.dosage, "times": times})]
        writes += [(p, None) for p in old if p not in keep]
        writes += [(p, new_dose(fields, h, ctx.zone, ctx.now)) for p, h in keep.items()
                   if p not in old]
        return Reply([_say(ctx.lang, "med.time.changed", name=med.name,
                           times=", ".join(times))], writes=writes)

    # ------------------------------------------------------------------ done
    def done(self, ctx: Context, command: Command) -> Reply:
        """'Done' / 'took it': every pending dose (or the named ones) is taken."""
        wanted = {fold(i.name) for i in command.items}
        writes: Writes = []
        names: list[str] = []
        for path, dose in ctx.doses.items():
            slot = dose.get("pending_slot")
            if not slot or (wanted and fold(str(dose.get("name", ""))) not in wanted):
                continue
            dose_id = path.split("/", 1)[1]
            writes += [(path, close_slot(dose)),
                       (dose_log_path(dose_id, slot), log_entry(dose_id, dose, slot, "taken",
                                                               ctx.now))]
            names.append(str(dose.get("name", "")))
        if not names:
            return Reply([_say(ctx.lang, "med.done.none")])
        return Reply([_say(ctx.lang, "remind.taken", names=", ".join(sorted(set(names))))],
                     writes=writes)

    # ------------------------------------------------------------------ adherence
    def week_button(self, ctx: Context, _: str) -> Reply:
        since = ctx.now - WEEK
        rows = self.store.query("dose_log", [Filter("user_id", "==", ctx.key),
                                             Filter("slot_at", ">=", since)])
        totals: dict[str, list[int]] = {}
        for _path, entry in rows:
            counts = totals.setdefault(str(entry.get("medication_id")), [0, 0])
            counts[1] += 1
            on_time = entry["at"] - entry["slot_at"] <= ON_TIME
            counts[0] += int(entry.get("status") == "taken" and on_time)
        names = {m.id: m.name for m in ctx.meds}
        lines = [t(ctx.lang, "med.week.title")]
        lines += [t(ctx.lang, "med.week.item", name=names[mid], percent=round(100 * ok / n),
                    taken=ok, total=n) for mid, (ok, n) in totals.items() if mid in names]
        if len(lines) == 1:
            lines.append(t(ctx.lang, "med.week.none"))
        return Reply([Text(text="\n".join(lines))])


def _merge(first: Reply, second: Reply) -> Reply:
    """Two replies as one (a time-zone answer followed by the command it unblocked)."""
    session: dict[str, Any] = {**first.session, **second.session}
    return Reply(messages=[*first.messages, *second.messages],
                 session=session, user={**first.user, **second.user},
                 writes=[*first.writes, *second.writes])
