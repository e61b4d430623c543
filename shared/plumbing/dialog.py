"""The dialog worker's engine: one inbound event -> one decision, exactly once.

In the task's unit of work (plumbing/work.py): reads the user and session, reads what
the event means (domain/dialog.py's Table: the strict button grammar, or the intent
reader ahead of the modes for a typed message), follows the declared state machine
(the features' rows), calls the handler the row names, writes the new session, the
handler's writes, the limits and the usage counters together with the decision; then
replies and enqueues jobs.

Every typed message is also checked for red flags (domain/red_flags.py), in every
mode: the emergency number of the patient's region goes first, then the normal answer,
never instead of it; the jobs the turn starts are told, so a model's judgement does
not repeat the line. A new LINE user starts in their profile's language (asked with
buttons when MedBot does not speak it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from shared.domain import usage
from shared.domain.admission import Verdict, admit_line, admit_telegram
from shared.domain.channels import Channel, user_key
from shared.domain.decision import Decision
from shared.domain.dialog import Intent, State, Step, Table
from shared.domain.emergency import GSM_EMERGENCY, emergency_number
from shared.domain.events import (
    GroupArrival,
    InboundEvent,
    group_arrival,
    normalize_line,
    normalize_telegram,
)
from shared.domain.i18n import profile_ui_language, t, ui_language
from shared.domain.messages import OutMessage, Text
from shared.domain.red_flags import red_flags
from shared.jobs import Job
from shared.log import bind
from shared.plumbing import ordering, reach
from shared.plumbing.collections import session_path, user_path
from shared.plumbing.delivery import Delivery
from shared.plumbing.erasure import Eraser
from shared.plumbing.limits import UserLimits, limits_path
from shared.plumbing.runner import NotYet, Outcome
from shared.plumbing.turns import Handler, Preparer, Reply, Turn, next_session
from shared.plumbing.work import TaskRef, UnitOfWork, Work
from shared.ports import Clock, Doc, DocumentStore, TaskQueue

if TYPE_CHECKING:
    from shared.plumbing.features import CommandReader

log = logging.getLogger(__name__)

# The session field a translation conversation keeps the clinician's language in: a
# hint of where the patient is, for the emergency number (domain/emergency.py).
PLACE_LANGUAGE = "place_language"
# How much of a message the red-flag lexicon reads (longer ones are refused as too long
# anyway; their start is still checked).
_RED_FLAG_CHARS = 4000


@dataclass(frozen=True)
class Prepared:
    """What a turn learned before its transaction."""

    value: Any = None  # the handler's preparer's result (Turn.prepared)
    medicines: tuple[str, ...] = ()  # the user's medicine names, for the intent reader
    new_user: bool = False
    profile_language: str | None = None  # a new LINE user's profile language tag


def _admitted(channel: str, raw: Any, now: datetime) -> bool:
    """The intake's rules again (domain/admission.py), for a task that did not pass them."""
    if channel == Channel.LINE.value:
        verdict = admit_line(raw, int(now.timestamp() * 1000))
    elif channel == Channel.TELEGRAM.value:
        verdict = admit_telegram(raw, int(now.timestamp()))
    else:
        verdict = Verdict.drop("unknown channel")
    if not verdict.admitted:
        log.info("event dropped", extra={"channel": channel, "reason": verdict.reason})
    return verdict.admitted


def _arrival(channel: str, raw: dict[str, Any]) -> GroupArrival | None:
    try:
        return group_arrival(Channel(channel), raw) if channel in set(Channel) else None
    except (ValueError, TypeError, AttributeError, ArithmeticError):
        return None


def ui_language_of(user: Doc, event: InboundEvent) -> str:
    return str(user.get("language") or ui_language(event.language_code, event.channel))


def normalize_event(channel: str, raw: dict[str, Any]) -> InboundEvent | None:
    # A signed body can still carry fields of the wrong type (fuzzed in
    # tests/functions/test_fuzz_webhooks.py): such an event is dropped, never a 5xx
    # that Cloud Tasks would retry in vain.
    try:
        if channel == Channel.LINE.value:
            return normalize_line(raw)
        if channel == Channel.TELEGRAM.value:
            return normalize_telegram(raw)
    except (ValueError, TypeError, AttributeError, ArithmeticError):  # incl. ValidationError
        log.warning("malformed event dropped", extra={"channel": channel})
    return None


@dataclass
class DialogService:
    store: DocumentStore
    tasks: TaskQueue
    clock: Clock
    delivery: Delivery
    eraser: Eraser
    work: UnitOfWork
    table: Table
    # The features' handlers, by the names their rows use (plumbing/features.py).
    handlers: Mapping[str, Handler]
    # Slow work (a model call) for a text message, by handler name, run before the
    # transaction so a retried transaction does not repeat it; result in Turn.prepared.
    preparers: Mapping[str, Preparer] = field(default_factory=dict)
    session_ttl_s: int = 86_400
    max_text_chars: int = 2000
    limits: UserLimits = field(default_factory=UserLimits)  # plumbing/limits.py
    emergency_default: str = GSM_EMERGENCY  # Settings.emergency_number_default
    commands: CommandReader | None = None  # medication commands in any mode

    def __post_init__(self) -> None:
        missing = self.table.handlers - self.handlers.keys()
        assert not missing, f"transitions name unknown handlers: {missing}"

    # ------------------------------------------------------------------ pipeline
    def handle(self, task: dict[str, Any]) -> Outcome:
        turn = TaskRef(Job.DIALOG, str(task["id"]))
        if not _admitted(str(task.get("channel")), task.get("event"), self.clock.now()):
            return Outcome.DONE  # what intake drops (a task queued before it did): silence
        arrival = _arrival(str(task.get("channel")), task.get("event") or {})
        if arrival is not None:
            return self._arrived(arrival, turn)
        event = normalize_event(str(task.get("channel")), task.get("event") or {})
        if event is None:
            return Outcome.DONE  # an event MedBot does not answer (group chat, sticker...)
        return self.work.run(
            turn, lambda work, prepared: self._decide(work, event, turn, prepared),
            self._apply, prepare=lambda: self._prepare(event, turn.id),
            user=user_key(event.channel, event.user_id), channel=event.channel.value)

    def _prepare(self, event: InboundEvent, record_id: str) -> Prepared:
        # An earlier event of this user goes first (NotYet -> BUSY); plumbing/ordering.py.
        if ordering.earlier_pending(self.store, event, record_id, self.clock.now()):
            raise NotYet
        key = user_key(event.channel, event.user_id)
        new_user = self.store.get(user_path(key)) is None
        profile = self._profile_language(event) if new_user else None
        typed = event.kind == "text" and bool((event.text or "").strip())
        medicines = tuple(self.commands.names(key)) if typed and self.commands else ()
        value = None
        if typed and self.preparers:
            session = self._live(self.store.get(session_path(key)), self.clock.now()) or {}
            state = str(session.get("state", State.MENU))
            intent, argument = self._read(event, state, session, medicines)
            if intent not in (Intent.EMPTY,) and len(argument) <= self.max_text_chars:
                preparer = self.preparers.get(self.table.step(state, intent).handler)
                value = preparer(event, argument) if preparer is not None else None
        return Prepared(value, medicines, new_user, profile)

    def _profile_language(self, event: InboundEvent) -> str | None:
        """LINE's profile language of a user met for the first time (best effort)."""
        if event.channel is not Channel.LINE:
            return None
        messenger = self.delivery.messengers.get(event.channel)
        return messenger.profile_language(event.user_id) if messenger is not None else None

    def _read(self, event: InboundEvent, state: str, session: Doc,
              medicines: tuple[str, ...]) -> tuple[str, str]:
        parse = self.commands.parse if self.commands is not None else None
        return self.table.read(event, state, session, parse, medicines)

    @staticmethod
    def _live(session: Doc | None, now: Any) -> Doc | None:
        if session is not None and session.get("expires_at") and session["expires_at"] <= now:
            return None  # TTL deletion lags: an expired session counts as gone
        return session

    def _new_user(self, event: InboundEvent, prepared: Prepared, now: Any) -> Doc:
        user: Doc = {"channel": event.channel.value, "platform_id": event.user_id,
                     "created_at": now}
        if event.channel is Channel.LINE:
            language = profile_ui_language(prepared.profile_language)
            user["language"] = language or ui_language(None, event.channel)
            if language is None and prepared.profile_language:
                # A language MedBot does not speak: the welcome asks, with buttons. No
                # language at all (not shared, or the call failed): LINE's zh-TW.
                user["language_unsure"] = True
        else:
            user["language"] = ui_language(event.language_code, event.channel)
        return user

    def _decide(self, work: Work, event: InboundEvent, task: TaskRef,
                prepared: Prepared | None) -> Decision:
        key, now = user_key(event.channel, event.user_id), work.now
        prepared = prepared if isinstance(prepared, Prepared) else Prepared()
        user = work.get(user_path(key))
        if event.kind in ("unfollow", "back"):
            intent, _ = self.table.read(event)
            return self._reachability(work, event, task, user, intent)
        session = self._live(work.get(session_path(key)), now)
        quota = self.limits.start(work.get(limits_path(key)), key, now)
        arrived = user is None
        if user is None:
            user = self._new_user(event, prepared, now)
        welcome_back = reach.come_back(user, ui_language_of(user, event))
        language_before = user.get("language")
        state = str((session or {}).get("state", State.MENU))
        intent, argument = self._read(event, state, session or {}, prepared.medicines)
        emergency = self._emergency(user, session)
        turn = Turn(event, user, dict(session or {"state": State.MENU}), argument, now,
                    prepared.value, emergency=emergency)
        step = self.table.step(turn.state, intent)
        flood = quota.message()
        if flood is not None:  # plumbing/limits.py: answer the first, drop the rest
            step, reply = Step("limit_reached"), self._limited(turn, "messages", flood)
        elif intent == Intent.TEXT and len(argument) > self.max_text_chars:
            reply = self._too_long(turn)  # nothing reaches a mode handler or a model
        else:
            reply = self.handlers[step.handler](turn)
            over = quota.jobs(job for job, _ in reply.jobs)
            if over is not None:  # nothing of the reply happens, not even its state
                step, reply = Step("limit_reached"), self._limited(turn, over, "reply")
        flagged = self._red_flagged(event)
        if flagged and not reply.erase:
            alert: OutMessage = Text(text=t(str(user.get("language", "en")), "emergency.alert",
                                            emergency=emergency))
            reply.messages = [alert, *reply.messages]
        bind(channel=event.channel.value, action=step.handler, mode=turn.state,
             ui_language=turn.lang)
        log.info("dialog", extra={"channel": event.channel.value, "action": step.handler,
                                  "mode": turn.state, "ui_language": turn.lang})

        if not reply.erase:
            user.update(reply.user)
            user.update({"chat_id": event.chat_id, "last_seen_at": now})
            session_doc = {**next_session(turn, step.next_state, reply),
                           "user_id": key, "updated_at": now,
                           "expires_at": now + timedelta(seconds=self.session_ttl_s)}
            work.set(user_path(key), user)
            work.set(session_path(key), session_doc)
            for path, doc in reply.writes:
                if doc is None:
                    work.delete(path)
                else:
                    work.set(path, doc)
            work.count({usage.action_counter(turn.state, step.handler): 1, **reply.usage})
        else:
            work.forget_usage()  # nothing is kept of a user who is erased
        ordering.mark_decided(work, task.id, now)
        work.set(limits_path(key), quota.document())
        jobs = [
            task.follow_up(job, i).request({
                "user": key, "channel": event.channel.value, "chat_id": event.chat_id,
                "language": str(user.get("language", "en")),
                "emergency": emergency, **({"red_flag": True} if flagged else {}),
                "reply_token": event.reply_token, "event_ms": event.timestamp_ms,
                # An erasure after this turn voids the job (plumbing/erasures.py).
                "queued_at": now.isoformat(), **args})
            for i, (job, args) in enumerate(reply.jobs)
        ]
        return Decision(
            channel=event.channel, chat_id=event.chat_id, user_key=key,
            # A patient back after blocking the bot hears once what they missed.
            messages=[*welcome_back, *reply.messages] if not reply.erase else reply.messages,
            edits=reply.edits,
            # A job that will answer later gets the reply token instead of us.
            reply_token=None if jobs and not reply.messages else event.reply_token,
            event_ms=event.timestamp_ms, send_key=str(task), loading=reply.loading,
            acknowledge=event.callback_id, jobs=jobs, erase_user=reply.erase,
            menu_language=None if reply.erase or not (
                arrived or user.get("language") != language_before)
            else str(user.get("language")),
        )

    def _reachability(self, work: Work, event: InboundEvent, task: TaskRef, user: Doc | None,
                      intent: str) -> Decision:
        """A patient blocked the bot (AWAY) or unblocked it (BACK): only their profile
        changes (plumbing/reach.py). Nothing is stored for someone MedBot never met."""
        key = user_key(event.channel, event.user_id)
        ordering.mark_decided(work, task.id, work.now)
        nothing = Decision(channel=event.channel, chat_id=event.chat_id, user_key=key,
                           send_key=str(task))
        log.info("reachability", extra={"channel": event.channel.value, "action": intent,
                                        "known": user is not None})
        if user is None:
            work.forget_usage()
            return nothing
        if intent == Intent.AWAY:
            if reach.mark_away(user, work.now):
                work.set(user_path(key), user)
                work.count({usage.UNREACHABLE: 1})
            return nothing
        notice = reach.come_back(user, str(user.get("language") or "en"))
        user.update({"chat_id": event.chat_id, "last_seen_at": work.now})
        work.set(user_path(key), user)
        return nothing.model_copy(update={"messages": notice})

    def _arrived(self, arrival: GroupArrival, turn: TaskRef) -> Outcome:
        """Added to a group: say once, in a line, where to talk to MedBot, and leave.
        Nothing about the group is stored (no user, no session, no usage)."""
        messenger = self.delivery.messengers[arrival.channel]
        lang = ui_language(None, arrival.channel)

        def decide(work: Work, link: Any) -> Decision:
            text = (t(lang, "group.private_only", link=link) if link
                    else t(lang, "group.private_only_nolink"))
            log.info("group joined", extra={"channel": arrival.channel.value,
                                            "action": "leave_group"})
            return Decision(channel=arrival.channel, chat_id=arrival.chat_id, user_key="",
                            messages=[Text(text=text)], reply_token=arrival.reply_token,
                            event_ms=arrival.timestamp_ms, send_key=str(turn), leave=True)

        return self.work.run(turn, decide, self._apply, prepare=messenger.chat_link)

    def _apply(self, decision: Decision) -> None:
        try:
            if decision.messages:
                # What the turn says goes out before any job can answer (an emergency
                # line before the translation it came with).
                self.delivery.deliver(decision)
            for job in decision.jobs:
                self.tasks.enqueue(job.job.value, job.payload, name=job.name)
            if not decision.messages:
                self.delivery.deliver(decision)  # the loading indicator, an acknowledgement
            if decision.menu_language:
                # Best effort (the port never raises): the app's own menu in the language.
                messenger = self.delivery.messengers.get(decision.channel)
                if messenger is not None:
                    messenger.show_menu(decision.chat_id, decision.menu_language)
        finally:
            if decision.erase_user:
                # Last, so the erasure also takes the record of its own confirmation;
                # and even when the confirmation could not be sent.
                self.eraser.erase(decision.user_key)

    # ------------------------------------------------------------------ refusals
    def _limited(self, turn: Turn, kind: str, answer: str) -> Reply:
        if answer != "reply":
            return Reply()
        limit = {"messages": self.limits.messages_per_minute,
                 "generations": self.limits.generations_per_day,
                 "emails": self.limits.emails_per_day}[kind]
        return Reply([Text(text=t(turn.lang, f"limit.{kind}", count=limit))])

    def _too_long(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "too_long", count=len(turn.argument),
                                  limit=self.max_text_chars))])

    def _emergency(self, user: Doc, session: Doc | None = None) -> str:
        """The user's emergency number (domain/emergency.py): handlers see it on the
        Turn, and every job it starts carries it."""
        zone = user.get("timezone")
        place = (session or {}).get(PLACE_LANGUAGE)
        return emergency_number(str(zone) if zone else None, str(user.get("language", "en")),
                                self.emergency_default,
                                place_language=place if isinstance(place, str) else None)

    @staticmethod
    def _red_flagged(event: InboundEvent) -> bool:
        """A typed message (or a caption) that may describe an emergency."""
        text = event.text or "" if event.kind == "text" else ""
        return bool(text.strip()) and bool(red_flags(text[:_RED_FLAG_CHARS]))
