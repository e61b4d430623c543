"""Medication schedules from chat commands: the medication dialog's handlers.

Free text in medication mode is read, in this order, by the deterministic parser
(shared/medication/parser.py), by the reader of commands that name no medication
("done", "delete the medicine": shared/medication/bare.py), and, only when both give up
and a real model is configured, by ONE structured model call made before the dialog
transaction (`interpret`, the dialog's preparer). The model's answer is checked against
the user's own schedule (shared/medication/model_command.py) before anything changes;
anything ambiguous gets a question with buttons, never a guess.

Each medication is a `medications/{id}` document and each of its times a `doses/{id}`
document that the reminder tick reads (services/reminders.py). Ids derive from the user
and the medication name (and time), so re-running a handler after a transaction retry
writes the same documents.

Handlers run inside the dialog transaction, which offers no queries: the user's
schedule is read with plain store queries first, and every change is returned as
Reply.writes for the dialog to commit together with the session.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from pydantic import ValidationError

from shared.domain.channels import user_key
from shared.domain.dialog import ANY, DialogPart, Intent, Step
from shared.domain.events import InboundEvent
from shared.domain.i18n import t
from shared.domain.messages import Button, Text, coalesce
from shared.domain.paging import page_buttons, page_of
from shared.domain.prompts import medication_prompt, medication_system
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
from shared.features.core.dialog import menu_button
from shared.features.medication.states import MedicationIntent as I
from shared.features.medication.states import MedicationState as S
from shared.features.reminders.service import dose_log_path
from shared.medication.adherence import asks_for_adherence
from shared.medication.bare import bare_command
from shared.medication.model_command import Known, ModelCommand, check, schedule_data
from shared.medication.models import CommandItem as Item
from shared.medication.models import ParsedCommand as Command
from shared.medication.parser import parse_command
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import Doc, DocumentStore, Filter, LanguageModel, LlmError

log = logging.getLogger(__name__)

DIALOG: Final = DialogPart(
    states={S.MEDICATION: None},
    buttons={"mode:med": I.MODE},
    verbs={"med": I.BUTTON},
    rows={
        (ANY, I.MODE): Step("enter_medication", S.MEDICATION),
        (ANY, I.BUTTON): Step("medication_button", S.MEDICATION),
        (S.MEDICATION, Intent.TEXT): Step("medication_command"),
        # "help" in medication mode explains the medication commands.
        (S.MEDICATION, Intent.HELP): Step("medication_help"),
    },
)

# Offered when a time is missing from "add" (local wall times).
SUGGESTED_TIMES: Final = ("08:00", "12:00", "18:00", "21:00")
MAX_MEDICATIONS: Final = 30  # per user; also keeps one command under Firestore's 500 writes
MAX_TIMES: Final = 12  # per medication
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

    def pending(self) -> list[tuple[str, Doc]]:
        """(path, dose) of every dose whose slot waits for an answer, oldest first."""
        rows = [(p, d) for p, d in self.doses.items() if d.get("pending_slot")]
        return sorted(rows, key=lambda r: (str(r[1]["pending_slot"]), str(r[1].get("name"))))


def med_id(key: str, name: str) -> str:
    return stable_id(key, "medication", fold(name))


def dose_path(medication_id: str, hhmm: str) -> str:
    return f"doses/{stable_id(medication_id, hhmm)}"


def _say(lang: str, key: str, buttons: Sequence[Button] = (), *, count: int | None = None,
         **values: object) -> Text:
    return Text(text=t(lang, key, count=count, **values), buttons=list(buttons))


def _dosage(value: str | None) -> str:
    return f" {value}" if value else ""


def _aliases(meds: Sequence[Medication]) -> dict[str, Medication]:
    """Short ids the model sees instead of document ids ("m1", "m2", ...)."""
    return {f"m{i}": m for i, m in enumerate(meds, start=1)}


@dataclass
class MedicationService:
    store: DocumentStore
    # The model, built on first use (the dialog worker imports no SDK it does not need).
    model: Callable[[], LanguageModel] | None = None
    commands: dict[str, Callable[[Context, Command], Reply]] = field(init=False)
    buttons: dict[str, Callable[[Context, str], Reply]] = field(init=False)

    def __post_init__(self) -> None:
        self.commands = {
            "add": self.add, "list": self.show_list, "delete": self.delete, "done": self.done,
            "time_change": self.change_time, "dose_change": self.change_dose,
            "timezone_change": self.change_zone, "help": self.help,
        }
        # Button data "med:<action>:<argument>" (the verb "med" in DIALOG).
        self.buttons = {
            "tz": self.zone_button, "at": self.time_button, "del": self.delete_button,
            "week": self.week_button, "from": self.move_button, "took": self.took_button,
            # Pages of the pickers (a list longer than one message: domain/paging.py).
            "delp": self.delete_page, "tookp": self.took_page, "fromp": self.move_page,
        }

    # ------------------------------------------------------------------ entry points
    def __call__(self, turn: Turn) -> Reply:
        """Free text in medication mode."""
        return self.run_text(self._context(turn), turn.argument)

    def actions(self) -> dict[str, Handler]:
        return {"enter_medication": self.enter, "medication_command": self,
                "medication_button": self.button,
                "medication_help": lambda turn: self.help(self._context(turn), None)}

    def enter(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "medication.intro"),
                           buttons=[menu_button(turn.lang)])])

    def button(self, turn: Turn) -> Reply:
        action, _, argument = turn.argument.partition(":")
        handler = self.buttons.get(action)
        if handler is None:
            return self.help(self._context(turn), None)
        return handler(self._context(turn), argument)

    def run_text(self, ctx: Context, text: str) -> Reply:
        if asks_for_adherence(text):  # "how did I do this week?": the weekly summary
            return self.week_button(ctx, "")
        command = self._deterministic(text, [m.name for m in ctx.meds])
        if command is None:
            understood = self._from_model(ctx)
            if isinstance(understood, Reply):
                return understood
            command = understood
        if command is None or command.kind not in self.commands:
            return Reply([_say(ctx.lang, "med.unknown")])
        return self.run_command(ctx, command)

    def run_command(self, ctx: Context, command: Command) -> Reply:
        unsupported = _beyond_daily(command)
        if unsupported is not None:
            return Reply([_say(ctx.lang, "med.schedule.unsupported", name=unsupported.name)])
        if ctx.zone is None and command.kind not in ("timezone_change", "help"):
            return self.ask_zone(ctx, pending=command)
        return self.commands[command.kind](ctx, command)

    @staticmethod
    def _deterministic(text: str, names: list[str]) -> Command | None:
        command = parse_command(text, names) or bare_command(text)
        if command is None:
            zone = resolve_zone(text)  # a bare "Europe/Berlin" or "+03:00"
            if zone is not None:
                command = Command(kind="timezone_change", timezone=zone[0])
        return command

    # ------------------------------------------------------------------ the model
    def interpret(self, event: InboundEvent, text: str) -> Doc | None:
        """The dialog's preparer, run before its transaction: ONE model call for a
        message the deterministic readers do not understand (None when they do, or
        when the model is the offline engine). Only the answer and the ids it may use
        are returned; `_from_model` checks them inside the transaction."""
        if not any(c.isalnum() for c in text):
            return None  # emoji or punctuation only: nothing for a model to read
        model = self.model() if self.model is not None else None
        if model is None or model.offline:
            return None
        key = user_key(event.channel, event.user_id)
        meds = self._medications(key)
        if self._deterministic(text, [m.name for m in meds]) is not None:
            return None
        aliases = _aliases(meds)
        rows = [(alias, m.name, m.dosage, m.times) for alias, m in aliases.items()]
        try:
            answer = model.generate_json(medication_system(),
                                         medication_prompt(text, schedule_data(rows)),
                                         ModelCommand, thinking="minimal")
        except LlmError:
            log.warning("medication model failed", extra={"action": "medication_model"})
            return {"failed": True}
        return {"answer": answer.model_dump(mode="json"),
                "aliases": {alias: m.id for alias, m in aliases.items()}}

    def _from_model(self, ctx: Context) -> Command | Reply | None:
        prepared = ctx.turn.prepared
        if not isinstance(prepared, dict) or "answer" not in prepared:
            return None
        try:
            answer = ModelCommand.model_validate(prepared["answer"])
        except ValidationError:
            return None
        # Only ids of this user's current medications count (checked again here, inside
        # the transaction, against the schedule just read).
        mine = {m.id: m for m in ctx.meds}
        known = [Known(alias, mine[mid].name)
                 for alias, mid in dict(prepared.get("aliases") or {}).items() if mid in mine]
        checked = check(answer, known)
        log.info("medication model", extra={"action": "medication_model", "kind": answer.kind,
                                            "outcome": checked.problem or "ok"})
        if checked.command is not None:
            return checked.command
        if checked.problem == "unknown_medication":
            if answer.kind == "delete":
                return self._which(ctx, "med.delete.which")
            if answer.kind == "done":
                return self._done_which(ctx, ctx.pending())
            return Reply([_say(ctx.lang, "med.change.which",
                               names=", ".join(m.name for m in ctx.meds))])
        if checked.problem == "bad_time":
            return Reply([_say(ctx.lang, "med.time.invalid")])
        if checked.problem == "bad_name":
            return Reply([_say(ctx.lang, "med.name.invalid")])
        if checked.problem == "bad_zone":
            return self.ask_zone(ctx, key="med.tz.invalid")
        if checked.problem == "bad_schedule":  # a rule we cannot follow: store nothing
            name = answer.items[0].name if answer.items else ""
            return Reply([_say(ctx.lang, "med.schedule.unsupported", name=name or "…")])
        return None

    # ------------------------------------------------------------------ reads
    def _medications(self, key: str) -> list[Medication]:
        rows = self.store.query("medications", [Filter("user_id", "==", key)])
        return [Medication(path.split("/", 1)[1], str(doc["name"]), str(doc.get("dosage") or ""),
                           list(doc.get("times") or [])) for path, doc in rows]

    def _context(self, turn: Turn) -> Context:
        key = user_key(turn.event.channel, turn.event.user_id)
        doses = dict(self.store.query("doses", [Filter("user_id", "==", key)]))
        zone = turn.user.get("timezone")
        return Context(turn, key, str(zone) if zone else None, self._medications(key), doses)

    # ------------------------------------------------------------------ time zone
    def ask_zone(self, ctx: Context, pending: Command | None = None,
                 key: str = "med.tz.ask") -> Reply:
        default = DEFAULT_ZONES.get(ctx.lang, "UTC")
        zones = dict.fromkeys((default, *DEFAULT_ZONES.values()))
        buttons = [Button(label=z, data=f"med:tz:{z}") for z in zones]
        session = {"med_pending": pending.model_dump(mode="json")} if pending else {}
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
        if pending:
            # The command that was waiting for the time zone runs now.
            ctx.zone = name
            ctx.doses = {p: d for p, d in writes if d is not None}
            reply = _merge(reply, self._run_pending(ctx, pending))
        return reply

    def _run_pending(self, ctx: Context, pending: object) -> Reply:
        if isinstance(pending, str):  # sessions written before commands were stored
            return self.run_text(ctx, pending)
        try:
            command = Command.model_validate(pending)
        except ValidationError:
            return Reply()
        return self.run_command(ctx, command) if command.kind in self.commands else Reply()

    # ------------------------------------------------------------------ add
    def add(self, ctx: Context, command: Command) -> Reply:
        if not command.items:
            return Reply([_say(ctx.lang, "med.unknown")])
        new = {fold(i.name) for i in command.items if ctx.find(i.name) is None}
        if len(ctx.meds) + len(new) > MAX_MEDICATIONS:
            return Reply([_say(ctx.lang, "med.too_many", count=MAX_MEDICATIONS)])
        if any(len(i.times) > MAX_TIMES for i in command.items):
            return Reply([_say(ctx.lang, "med.too_many_times", count=MAX_TIMES)])
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
            existing = ctx.find(item.name)
            if existing and len({*existing.times, *times}) > MAX_TIMES:
                return Reply([_say(ctx.lang, "med.too_many_times", count=MAX_TIMES)])
            reply = _merge(reply, self._add_one(ctx, item.name, item.dosage, times))
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
            # "delete the medicine": never a guess, even with one medication.
            return self._which(ctx, "med.delete.which")
        if len(command.items) == 1 and command.items[0].times:
            # "delete aspirin at 10": only that dose time goes.
            return self._drop_times(ctx, meds[0], command.items[0].times)
        reply = Reply()
        for med in meds:
            reply = _merge(reply, self._delete_one(ctx, med))
        return reply

    def delete_page(self, ctx: Context, number: str) -> Reply:
        if not ctx.meds:
            return Reply([_say(ctx.lang, "med.list.empty")])
        return self._which(ctx, "med.delete.which", _page_number(number))

    def delete_button(self, ctx: Context, mid: str) -> Reply:
        med = next((m for m in ctx.meds if m.id == mid), None)
        return self._delete_one(ctx, med) if med else self.show_list(ctx, None)

    def _delete_one(self, ctx: Context, med: Medication) -> Reply:
        writes: Writes = [(med.path, None), *((p, None) for p in ctx.doses_of(med))]
        return Reply([_say(ctx.lang, "med.deleted", name=med.name)], writes=writes)

    def _drop_times(self, ctx: Context, med: Medication, times: list[str]) -> Reply:
        drop = [h for h in (normalize_hhmm(x) for x in times) if h]
        unknown = [h for h in drop if h not in med.times]
        if unknown or not drop:
            return Reply([_say(ctx.lang, "med.time.unknown", name=med.name,
                               time=", ".join(unknown or times), times=", ".join(med.times))])
        remaining = [h for h in med.times if h not in drop]
        if not remaining:
            return self._delete_one(ctx, med)
        writes: Writes = [(med.path, {"user_id": ctx.key, "name": med.name,
                                      "dosage": med.dosage, "times": remaining})]
        writes += [(dose_path(med.id, h), None) for h in drop]
        return Reply([_say(ctx.lang, "med.times.deleted", name=med.name,
                           times=", ".join(sorted(drop)), remaining=", ".join(remaining))],
                     writes=writes)

    def _which(self, ctx: Context, key: str, number: int = 0) -> Reply:
        """Which medication? One button each (whole names: the adapters shorten them so
        they stay apart), page by page when there are more than one message holds."""
        meds = sorted(ctx.meds, key=lambda m: (fold(m.name), m.id))
        options = [Button(label=m.name + _dosage(m.dosage), data=f"med:del:{m.id}")
                   for m in meds]
        page = page_of(options, number)
        buttons = page_buttons(page, [], _page_button(ctx.lang, "delp"))
        return Reply([_say(ctx.lang, key, buttons, names=", ".join(m.name for m in meds))])

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
        """times = [old, new]: old becomes new; [new]: the medication's only time becomes
        new, and with several times the user picks which one (buttons)."""
        med, item = self._one(ctx, command)
        times = [normalize_hhmm(x) for x in (item.times if item else [])]
        if med is None or not 1 <= len(times) <= 2 or None in times:
            return Reply([_say(ctx.lang, "med.change.which",
                               names=", ".join(m.name for m in ctx.meds))])
        valid = [h for h in times if h]
        new = valid[-1]
        if len(valid) == 2:
            old = valid[0]
            if old not in med.times:
                return Reply([_say(ctx.lang, "med.time.unknown", name=med.name, time=old,
                                   times=", ".join(med.times))])
            return self._move(ctx, med, old, new)
        if len(med.times) == 1:
            return self._move(ctx, med, med.times[0], new)
        return self._move_which(ctx, med, new)

    def _move_which(self, ctx: Context, med: Medication, new: str, number: int = 0) -> Reply:
        options = [Button(label=f"{h} → {new}", data=f"med:from:{h}") for h in med.times]
        buttons = page_buttons(page_of(options, number), [], _page_button(ctx.lang, "fromp"))
        return Reply([_say(ctx.lang, "med.time.which", buttons, name=med.name,
                           times=", ".join(med.times), new=new)],
                     session={"med_pending_move": {"id": med.id, "new": new}})

    def move_page(self, ctx: Context, number: str) -> Reply:
        pending = ctx.turn.session.get("med_pending_move")
        med = next((m for m in ctx.meds if isinstance(pending, dict)
                    and m.id == pending.get("id")), None)
        new = normalize_hhmm(str(pending.get("new") or "")) if isinstance(pending, dict) else None
        if med is None or new is None:
            return self.show_list(ctx, None)
        return self._move_which(ctx, med, new, _page_number(number))

    def move_button(self, ctx: Context, old: str) -> Reply:
        pending = ctx.turn.session.get("med_pending_move")
        if not isinstance(pending, dict):
            return self.show_list(ctx, None)
        med = next((m for m in ctx.meds if m.id == pending.get("id")), None)
        new = normalize_hhmm(str(pending.get("new") or ""))
        if med is None or new is None or old not in med.times:
            return self.show_list(ctx, None)
        return _merge(self._move(ctx, med, old, new), Reply(session={"med_pending_move": None}))

    def _move(self, ctx: Context, med: Medication, old: str, new: str) -> Reply:
        assert ctx.zone is not None
        times = sorted({*(h for h in med.times if h != old), new})
        fields = {"user_id": ctx.key, "medication_id": med.id, "name": med.name,
                  "dosage": med.dosage}
        writes: Writes = [(med.path, {"user_id": ctx.key, "name": med.name,
                                      "dosage": med.dosage, "times": times})]
        if old != new:
            writes.append((dose_path(med.id, old), None))
            if new not in med.times:
                writes.append((dose_path(med.id, new), new_dose(fields, new, ctx.zone, ctx.now)))
        return Reply([_say(ctx.lang, "med.time.changed", name=med.name,
                           times=", ".join(times))], writes=writes)

    # ------------------------------------------------------------------ done
    def done(self, ctx: Context, command: Command) -> Reply:
        """'Done' / 'took aspirin': the pending dose is taken. Which one must be clear:
        several candidates get buttons."""
        pending = ctx.pending()
        if command.items:
            chosen: list[tuple[str, Doc]] = []
            for item in command.items:
                med = ctx.find(item.name)
                mine = [(p, d) for p, d in pending if med and d.get("medication_id") == med.id
                        and (not item.times or d.get("time") == item.times[0])]
                if len(mine) > 1:
                    return self._done_which(ctx, mine)
                chosen += mine
            pending = chosen
        if not pending:
            return Reply([_say(ctx.lang, "med.done.none")])
        if len(pending) > 1 and not command.items:
            return self._done_which(ctx, pending)
        return self._take(ctx, pending)

    def _done_which(self, ctx: Context, pending: list[tuple[str, Doc]],
                    number: int = 0) -> Reply:
        """Which dose was taken? One button per pending dose (time, name, dose), page by
        page when they do not fit one message, and "All of them" on every page."""
        if not pending:
            return Reply([_say(ctx.lang, "med.done.none")])
        options = [Button(label=f"{d.get('time', '')} {d.get('name', '')}"
                                f"{_dosage(str(d.get('dosage') or ''))}",
                          data=f"med:took:{p.split('/', 1)[1]}") for p, d in pending]
        everything = [Button(label=t(ctx.lang, "med.done.all"), data="med:took:all")] \
            if len(pending) > 1 else []
        page = page_of(options, number, fixed=len(everything))
        buttons = page_buttons(page, everything, _page_button(ctx.lang, "tookp"))
        # "All of them" means the doses this question asked about (on all its pages).
        shown = [p.split("/", 1)[1] for p, _ in pending]
        return Reply([_say(ctx.lang, "med.done.which", buttons)], session={"med_took": shown})

    def took_page(self, ctx: Context, number: str) -> Reply:
        shown = ctx.turn.session.get("med_took")
        wanted = set(shown) if isinstance(shown, list) else set()
        pending = [(p, d) for p, d in ctx.pending() if p.split("/", 1)[1] in wanted]
        return self._done_which(ctx, pending, _page_number(number))

    def took_button(self, ctx: Context, dose_id: str) -> Reply:
        shown = ctx.turn.session.get("med_took") or []
        wanted = set(shown) if dose_id == "all" and isinstance(shown, list) else {dose_id}
        pending = [(p, d) for p, d in ctx.pending() if p.split("/", 1)[1] in wanted]
        if not pending:
            return Reply([_say(ctx.lang, "remind.handled")])
        return self._take(ctx, pending)

    def _take(self, ctx: Context, pending: list[tuple[str, Doc]]) -> Reply:
        writes: Writes = []
        for path, dose in pending:
            dose_id, slot = path.split("/", 1)[1], str(dose["pending_slot"])
            writes += [(path, close_slot(dose)),
                       (dose_log_path(dose_id, slot),
                        log_entry(dose_id, dose, slot, "taken", ctx.now))]
        names = ", ".join(sorted({str(d.get("name", "")) for _, d in pending}))
        return Reply([_say(ctx.lang, "remind.taken", names=names)], writes=writes)

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


def _beyond_daily(command: Command) -> Item | None:
    """INTERIM GUARD (issue 14) until the schedule domain lands: this service stores only
    "every day at fixed times". An item with a recurrence rule, as needed, a later start,
    or several doses a day without their times must not be stored as a daily schedule
    (a weekly drug taken daily can kill), so the whole command is refused."""
    for item in command.items:
        several_untimed = (item.doses_per_day or 1) > 1 and not item.times
        if item.rrule is not None or item.as_needed or item.start or several_untimed:
            return item
    return None


def _page_number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) <= 3 else 0


def _page_button(lang: str, verb: str) -> Callable[[int, int], Button]:
    """The button to page `number` of a picker: "More ▸ 2/3", or back to the first."""
    def make(number: int, pages: int) -> Button:
        key = "button.more" if number else "button.first_page"
        return Button(label=t(lang, key, page=number + 1, pages=pages),
                      data=f"med:{verb}:{number}")
    return make


def _merge(first: Reply, second: Reply) -> Reply:
    """Two replies as one (a time-zone answer followed by the command it unblocked, or
    the confirmations of several medicines): their texts go out as one message."""
    session: dict[str, Any] = {**first.session, **second.session}
    return Reply(messages=coalesce([*first.messages, *second.messages]),
                 session=session, user={**first.user, **second.user},
                 writes=[*first.writes, *second.writes])
