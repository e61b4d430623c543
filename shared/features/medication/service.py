"""Medication schedules from chat commands: the medication dialog's handlers.

A typed message is read (reading.py) into a command; a button is "med:<action>:<arg>".
Each handler loads the user's Regimen (repository.py: plain queries, as the dialog
transaction offers none), runs the command on the model (model.py), and returns the
repository's writes for the changes as Reply.writes: the dialog commits them with the
session in one transaction. Ids derive from the user, the name and the time, so a
handler re-run after a transaction retry writes the same documents.

The questions asked on the way (which time zone, at what time, which time moves, which
dose was taken) are states of the conversation (states.py) with their context in the
session's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from pydantic import ValidationError

from shared.domain.buttons import HHMM, ID, PAGE, ZONE, ButtonKind, one_of
from shared.domain.channels import user_key
from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, Step
from shared.domain.events import InboundEvent
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.domain.reading import Mode, Question
from shared.domain.red_flags import red_flags
from shared.domain.schedule import local_label, resolve_zone
from shared.features.core.dialog import menu_button
from shared.features.medication import adding, as_needed, changing, removing, taking, views
from shared.features.medication.adherence import Logged, tally
from shared.features.medication.common import (
    Context,
    ask_zone,
    dosage_suffix,
    merge,
    say,
)
from shared.features.medication.policy import DEFAULT_QUIET, NO_QUIET, QuietHours
from shared.features.medication.questions import QUESTIONS
from shared.features.medication.reading import (
    deterministic,
    from_model,
    interpret,
    model_says_emergency,
)
from shared.features.medication.repository import MedicationRepository
from shared.features.medication.states import MedicationIntent as I
from shared.features.medication.states import MedicationState as S
from shared.features.medication.views import CalendarLinks, facts_of, local_today
from shared.features.supply.taken import after_taken
from shared.features.translation.conversation import ASKED
from shared.medication.adherence import asks_for_adherence
from shared.medication.describe import describe
from shared.medication.models import ParsedCommand as Command
from shared.medication.quiet import QuietChange, parse_quiet_hours
from shared.medication.recurrence import WEEKDAY_CODES
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import Doc, DocumentStore, LanguageModel, ZoneFinder

HHMM4: Final = r"(?:[01][0-9]|2[0-3])[0-5][0-9]"  # "0800": a time in a set of times
_QUESTION: Final = ScreenOf(Mode.MEDICATION, Question.TEXT)
_QUESTIONS: Final = (S.ZONE, S.TIME, S.MOVE, S.TOOK, S.EXISTS, S.DAY, S.FIRST, S.TIMES)
DIALOG: Final = DialogPart(
    # The questions are states inside medication mode: its rows apply there too.
    states={S.MEDICATION: None, **dict.fromkeys(_QUESTIONS, S.MEDICATION)},
    # Button data "med:<action>:<argument>", each action with its own grammar.
    kinds={ButtonKind("mode:med"): I.MODE, ButtonKind("askmed"): I.ASKED,
           **dict.fromkeys((
               ButtonKind("med:tz", (ZONE,)), ButtonKind("med:at", (HHMM,)),
               ButtonKind("med:from", (HHMM,)), ButtonKind("med:week", optional=("30",)),
               ButtonKind("med:day", (one_of(WEEKDAY_CODES),)),
               ButtonKind("med:ats", (rf"{HHMM4}(?:-{HHMM4}){{1,11}}",)),
               ButtonKind("med:del", (ID,)), ButtonKind("med:took", (f"{ID}|all",)),
               ButtonKind("med:early", (ID,)),
               ButtonKind("med:dup", (one_of(adding.EXISTS_ACTIONS),)),
               ButtonKind("med:delp", (PAGE,)), ButtonKind("med:tookp", (PAGE,)),
               ButtonKind("med:fromp", (PAGE,)), ButtonKind("med:cal")), I.BUTTON)},
    readings={"medication:*": I.COMMAND, "medication:taken": I.TOOK,
              "action:reminder.taken": I.TOOK, "request:medication": I.MODE},
    screens={S.MEDICATION: ScreenOf(Mode.MEDICATION), **dict.fromkeys(_QUESTIONS, _QUESTION)},
    rows={
        (ANY, I.MODE): Step("enter_medication", S.MEDICATION),
        # A command typed in any mode is carried out there and then (the answer and its
        # questions belong to medication mode).
        (ANY, I.COMMAND): Step("medication_command", S.MEDICATION),
        (ANY, I.TOOK): Step("medication_taken", S.MEDICATION),
        (ANY, I.ASKED): Step("medication_asked"),
        # A shared place: its time zone, offered for the reminders.
        (ANY, Intent.MEDIA_LOCATION): Step("location_zone"),
        (ANY, I.BUTTON): Step("medication_button", S.MEDICATION),
        (S.MEDICATION, Intent.TEXT): Step("medication_command"),
        # "help" in medication mode explains the medication commands.
        (S.MEDICATION, Intent.HELP): Step("medication_help"),
    },
)


@dataclass
class MedicationService:
    store: DocumentStore
    # The model, built on first use (the dialog worker imports no SDK it does not need).
    model: Callable[[], LanguageModel] | None = None
    early_s: int = 3 * 3600  # "I took it" this long before a dose counts (settings)
    zones: ZoneFinder | None = None  # a shared location's time zone, offline
    links: CalendarLinks = field(default_factory=lambda: CalendarLinks(None))  # .ics files
    repo: MedicationRepository = field(init=False)
    commands: dict[str, Callable[[Context, Command], Reply]] = field(init=False)
    buttons: dict[str, Callable[[Context, str], Reply]] = field(init=False)

    def __post_init__(self) -> None:
        self.repo = MedicationRepository(self.store)
        self.commands = {
            "add": adding.add, "list": self.show_list, "delete": removing.delete,
            "done": taking.done, "time_change": changing.change_time,
            "dose_change": changing.change_dose, "timezone_change": self.change_zone,
            "help": self.help, "last_taken": as_needed.last_taken,
        }
        # Button data "med:<action>:<argument>" (the verb "med" in DIALOG).
        self.buttons = {
            "tz": self.zone_button, "dup": adding.exists_button,
            # The answers to what an "add" left unsaid (questions.py).
            **{gap.verb: adding.answer(gap.verb) for gap in QUESTIONS},
            "week": self.week_button,
            "del": lambda ctx, arg: removing.delete_button(ctx, arg) or self.show_list(ctx),
            "from": lambda ctx, arg: changing.move_button(ctx, arg) or self.show_list(ctx),
            "took": taking.took_button, "early": taking.early_button,
            "cal": lambda ctx, arg: views.calendar(ctx, self.links),
            # Pages of the pickers (a list longer than one message: domain/paging.py).
            "delp": removing.delete_page, "tookp": taking.took_page,
            "fromp": lambda ctx, arg: changing.move_page(ctx, arg) or self.show_list(ctx),
        }

    # ------------------------------------------------------------------ entry points
    def actions(self) -> dict[str, Handler]:
        return {"enter_medication": self.enter, "medication_command": self.text,
                "medication_button": self.button,
                "medication_help": lambda turn: Reply([say(turn.lang, "med.help")]),
                "medication_taken": self.took, "medication_asked": self.asked,
                "location_zone": self.location}

    def preparers(self) -> dict[str, Callable[[InboundEvent, str], Doc | None]]:
        return {"medication_command": lambda event, text: interpret(
            self.repo, self.model, event, text)}

    def enter(self, turn: Turn) -> Reply:
        # The care circle's entries (features/circle: "cginv", "cglist").
        return Reply([Text(text=t(turn.lang, "medication.intro"), buttons=[
            Button(label=t(turn.lang, "circle.button.invite"), data="cginv"),
            Button(label=t(turn.lang, "circle.button.list"), data="cglist"),
            menu_button(turn.lang)])])

    def text(self, turn: Turn) -> Reply:
        """Free text in medication mode (or while one of its questions waits)."""
        ctx = self._context(turn)
        reply = self._finish(ctx, self.run_text(ctx, turn.argument))
        if model_says_emergency(turn.prepared) and not red_flags(turn.argument):
            # The model's judgement, from the call made anyway (the dialog has already
            # put the line first when the lexicon saw it).
            reply.messages = [Text(text=t(turn.lang, "emergency.alert",
                                          emergency=turn.emergency)), *reply.messages]
        return reply

    def took(self, turn: Turn) -> Reply:
        """"I took my pills" typed with no reminder waiting: which dose (never a guess)."""
        ctx = self._context(turn)
        return self._finish(ctx, taking.done(ctx, Command(kind="done")))

    def asked(self, turn: Turn) -> Reply:
        """"My medicines" under the question asked inside a translation conversation:
        the message set aside is a command; the conversation goes on afterwards."""
        text = turn.session.get(ASKED)
        ctx = self._context(turn)
        if not isinstance(text, str) or not text.strip():
            return self.enter(turn)
        reply = self._finish(ctx, self.run_text(ctx, text))
        reply.session = {**reply.session, ASKED: None}
        return reply

    def location(self, turn: Turn) -> Reply:
        """A shared location: its time zone (looked up offline), offered with a button
        that sets it (med:tz:<zone>); nothing changes until the patient taps it."""
        lat, lon = turn.event.latitude, turn.event.longitude
        zone = self.zones.zone_at(lat, lon) if (
            self.zones is not None and lat is not None and lon is not None) else None
        if zone is None or resolve_zone(zone) is None:
            return Reply([Text(text=t(turn.lang, "media.location_unknown"),
                               buttons=[menu_button(turn.lang)])])
        return Reply([Text(text=t(turn.lang, "media.location_zone", zone=zone), buttons=[
            Button(label=t(turn.lang, "media.location_use"), data=f"med:tz:{zone}"),
            menu_button(turn.lang)])])

    def button(self, turn: Turn) -> Reply:
        action, _, argument = turn.argument.partition(":")
        handler = self.buttons.get(action)
        ctx = self._context(turn)
        reply = handler(ctx, argument) if handler is not None else self.help(ctx, None)
        # A tap that answers no question leaves the waiting one waiting.
        reply.next_state = reply.next_state or ctx.stay()
        return self._finish(ctx, reply)

    def _context(self, turn: Turn) -> Context:
        zone = turn.user.get("timezone")
        key = user_key(turn.event.channel, turn.event.user_id)
        return Context(turn, key, str(zone) if zone else None, self.repo.load(key), self.repo,
                       early=timedelta(seconds=self.early_s),
                       quiet=QuietHours.parse(turn.user.get("quiet_hours")))

    def _finish(self, ctx: Context, reply: Reply) -> Reply:
        ctx.regimen.set_quiet(ctx.quiet)  # new doses too; unchanged ones write nothing
        reply.writes = [*reply.writes, *self.repo.changes(ctx.loaded)]
        # Each dose taken counts down its supply (features/supply), once per slot.
        return after_taken(reply, self.store, ctx.turn, ctx.regimen.doses(), ctx.regimen.logs)

    def run_text(self, ctx: Context, text: str) -> Reply:
        answered = adding.typed_answer(ctx, text)  # "Mondays and Thursdays", typed
        # "what did I take yesterday?", "add to calendar" (views.py)
        if answered is None:
            answered = views.answer_text(ctx, text, self.links)
        if answered is not None:
            return answered
        if asks_for_adherence(text):  # "how did I do this week?": the weekly summary
            return self.week_button(ctx, "")
        quiet = parse_quiet_hours(text)  # "no reminders after 23:00"
        if quiet is not None:
            return self.set_quiet(ctx, quiet)
        command = deterministic(text, [m.name for m in ctx.regimen.medications])
        if command is None:
            understood = from_model(ctx)
            if isinstance(understood, Reply):
                return understood
            command = understood
        if command is None or command.kind not in self.commands:
            return Reply([say(ctx.lang, "med.unknown")])
        return self.run_command(ctx, command)

    def run_command(self, ctx: Context, command: Command) -> Reply:
        if ctx.zone is None and command.kind not in ("timezone_change", "help"):
            return ask_zone(ctx, pending=command)
        return self.commands[command.kind](ctx, command)

    # ------------------------------------------------------------------ time zone
    def change_zone(self, ctx: Context, command: Command | None) -> Reply:
        return self.zone_button(ctx, (command.timezone if command else None) or "")

    def zone_button(self, ctx: Context, text: str) -> Reply:
        resolved = resolve_zone(text) if text else None
        if resolved is None:
            return ask_zone(ctx, key="med.tz.invalid")
        name, tz = resolved
        ctx.regimen.rezone(name, ctx.now)
        reply = Reply([say(ctx.lang, "med.tz.set", zone=name, local=local_label(ctx.now, tz))],
                      user={"timezone": name}, next_state=S.MEDICATION)
        waiting = ctx.asked(S.ZONE).get("command")
        if waiting:
            # The command that was waiting for the time zone runs now.
            ctx.zone = name
            reply = merge(reply, self._run_waiting(ctx, waiting))
        return reply

    def _run_waiting(self, ctx: Context, waiting: object) -> Reply:
        try:
            command = Command.model_validate(waiting)
        except ValidationError:
            return Reply()
        return self.run_command(ctx, command) if command.kind in self.commands else Reply()

    # ------------------------------------------------------------------ quiet hours
    def set_quiet(self, ctx: Context, change: QuietChange) -> Reply:
        """The patient's quiet hours (their local time): no repeats then."""
        if change.off:
            ctx.quiet = NO_QUIET
            return Reply([say(ctx.lang, "med.quiet.off")], user={"quiet_hours": str(NO_QUIET)})
        current = ctx.quiet if ctx.quiet is not None and not ctx.quiet.empty else DEFAULT_QUIET
        quiet = QuietHours(change.start or current.start, change.end or current.end)
        ctx.quiet = quiet
        return Reply([say(ctx.lang, "med.quiet.off" if quiet.empty else "med.quiet.set",
                          start=quiet.start, end=quiet.end)],
                     user={"quiet_hours": str(quiet)})

    # ------------------------------------------------------------------ list / help
    def show_list(self, ctx: Context, command: Command | None = None) -> Reply:
        meds = ctx.regimen.medications
        if not meds:
            return Reply([say(ctx.lang, "med.list.empty")])
        today = local_today(ctx.now, ctx.zone)
        lines = [t(ctx.lang, "med.list.title", zone=ctx.zone or "UTC")]
        # Each schedule in words ("every day at 08:00 and 20:00", issue 14).
        lines += [t(ctx.lang, "med.list.item", name=m.name, dosage=dosage_suffix(m.dosage),
                    times=describe(facts_of(m), ctx.lang, today))
                  for m in sorted(meds, key=lambda m: m.times)]
        week = Button(label=t(ctx.lang, "med.week.button"), data="med:week")
        return Reply([Text(text="\n".join(lines),
                           buttons=[week, views.calendar_button(ctx.lang)])])

    def help(self, ctx: Context, command: Command | None = None) -> Reply:
        return Reply([say(ctx.lang, "med.help")])

    # ------------------------------------------------------------------ adherence
    def week_button(self, ctx: Context, days: str) -> Reply:
        """Adherence per medicine over the last 7 days ("med:week") or 30
        ("med:week:30"): on time, late, skipped and missed, with a bar each."""
        period = 30 if days == "30" else 7
        logged = [Logged(e.medication_id, e.slot_at, e.status, e.at)
                  for e in ctx.repo.logged_since(ctx.key, ctx.now - timedelta(days=period))]
        totals = tally(logged, ctx.now - timedelta(days=period))
        # As needed has no schedule to keep: its log is not adherence.
        known = {m.id: m.name for m in ctx.regimen.medications if not m.schedule.as_needed}
        lines = [t(ctx.lang, "med.adh.title", days=period)]
        lines += [t(ctx.lang, "med.adh.item", bar=totals[mid].bar(), name=known[mid],
                    on_time=totals[mid].on_time, late=totals[mid].late,
                    skipped=totals[mid].skipped, missed=totals[mid].missed)
                  for mid in sorted(totals, key=lambda m: known.get(m, "").casefold())
                  if mid in known]
        if len(lines) == 1:
            lines.append(t(ctx.lang, "med.week.none"))
        other = Button(label=t(ctx.lang, "med.week.button"), data="med:week") if period == 30 \
            else Button(label=t(ctx.lang, "med.adh.button30"), data="med:week:30")
        return Reply([Text(text="\n".join(lines), buttons=[other])])
