"""The dialog worker's use case: one inbound event -> one decision, exactly once.

Reads the user and session, follows the declared state machine (domain/dialog.py),
writes the new session together with the decision, then replies and enqueues jobs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.domain import usage
from shared.domain.channels import Channel, user_key
from shared.domain.decision import Decision, JobRequest
from shared.domain.dialog import TRANSITIONS, Intent, State, Step, read_intent, step_for
from shared.domain.emergency import GSM_EMERGENCY, emergency_number
from shared.domain.events import InboundEvent, normalize_line, normalize_telegram
from shared.domain.i18n import UI_LANGUAGES, t, ui_language
from shared.domain.messages import Button, OutMessage, Text
from shared.domain.signatures import stable_id
from shared.jobs import Job
from shared.log import bind
from shared.plumbing import ordering
from shared.plumbing.delivery import Delivery
from shared.plumbing.erasure import Eraser
from shared.plumbing.limits import UserLimits, limits_path
from shared.plumbing.metering import metering
from shared.plumbing.runner import NotYet, Outcome, TaskRunner
from shared.ports import Clock, Doc, DocumentStore, TaskQueue, Transaction
from shared.runtime import lease_s

log = logging.getLogger(__name__)

EDUCATION_TOPICS = ("diabetes", "hypertension", "flu", "asthma", "heart", "stroke",
                    "kidney", "nutrition", "sleep", "dengue")


@dataclass
class Turn:
    """Everything a handler may look at."""

    event: InboundEvent
    user: Doc
    session: Doc
    argument: str
    now: datetime
    prepared: Any = None  # what the handler's preparer computed before the transaction

    @property
    def lang(self) -> str:
        return str(self.user.get("language", "en"))

    @property
    def state(self) -> str:
        return str(self.session.get("state", State.MENU))


@dataclass
class Reply:
    messages: list[OutMessage] = field(default_factory=list)
    jobs: list[tuple[Job, dict[str, Any]]] = field(default_factory=list)
    session: Doc = field(default_factory=dict)  # fields to set on the session
    user: Doc = field(default_factory=dict)  # fields to set on the user
    next_state: State | None = None  # overrides the table's next state
    loading: bool = False
    erase: bool = False
    # Documents to set (full replace) or delete (None) in the same transaction.
    writes: list[tuple[str, Doc | None]] = field(default_factory=list)
    # Usage counters to add besides the action itself (e.g. {"reminders.taken": 2});
    # names and numbers only (shared/domain/usage.py).
    usage: dict[str, int] = field(default_factory=dict)


Handler = Callable[[Turn], Reply]


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
    session_ttl_s: int = 86_400
    max_text_chars: int = 2000
    medication: Handler | None = None  # the medication feature plugs in here
    # Handlers that features (medication, reminders, education, translation, ...)
    # contribute, by the handler names their TRANSITIONS rows use.
    feature_handlers: dict[str, Handler] = field(default_factory=dict)
    # Slow work (a model call) for a text message, by handler name, run before the
    # transaction so a retried transaction does not repeat it; result in Turn.prepared.
    preparers: dict[str, Callable[[InboundEvent, str], Any]] = field(default_factory=dict)
    limits: UserLimits = field(default_factory=UserLimits)  # plumbing/limits.py
    emergency_default: str = GSM_EMERGENCY  # Settings.emergency_number_default

    def __post_init__(self) -> None:
        # The lease is the dialog worker's (shared/runtime.json): it outlasts any turn
        # Cloud Run lets run, and a killed or timed-out worker's task is free again by
        # the time Cloud Tasks retries it.
        self.runner = TaskRunner(self.store, self.clock, Decision,
                                 lease_s=lease_s("dialog_worker"))
        self.handlers: dict[str, Handler] = {
            "welcome": self.welcome, "show_menu": self.show_menu, "show_help": self.show_help,
            "ask_language": self.ask_language, "set_language": self.set_language,
            "ask_delete": self.ask_delete, "delete_data": self.delete_data,
            "keep_data": self.keep_data, "enter_education": self.enter_education,
            "request_leaflet": self.request_leaflet,
            "enter_medication": self.enter_medication,
            "medication_command": self.medication_command, "retry_job": self.retry_job,
            "not_understood": self.not_understood, "unsupported_media": self.unsupported_media,
            "empty_message": self.empty_message, "ignore": self.ignore,
            **self.feature_handlers,
        }
        missing = {step.handler for step in TRANSITIONS.values()} - self.handlers.keys()
        assert not missing, f"transitions name unknown handlers: {missing}"

    # ------------------------------------------------------------------ pipeline
    def handle(self, task: dict[str, Any]) -> Outcome:
        event = normalize_event(str(task.get("channel")), task.get("event") or {})
        if event is None:
            return Outcome.DONE  # an event MedBot does not answer (group chat, sticker...)
        task_id = f"dialog:{task['id']}"
        return self.runner.process(
            task_id,
            decide=lambda txn, prepared: self._decide(txn, event, task_id, *prepared),
            apply=self._apply,
            prepare=lambda: self._metered_prepare(event, str(task["id"])),
        )

    def _metered_prepare(self, event: InboundEvent, record_id: str) -> tuple[Any, dict[str, int]]:
        """The prepared value and the usage counts of the model calls made for it."""
        with metering() as meter:
            prepared = self._prepare(event, record_id)
        return prepared, usage.llm_counts(meter.calls, meter.input_tokens,
                                          meter.output_tokens, failed=meter.failures > 0)

    def _prepare(self, event: InboundEvent, record_id: str) -> Any:
        # An earlier event of this user goes first (NotYet -> BUSY); plumbing/ordering.py.
        if ordering.earlier_pending(self.store, event, record_id, self.clock.now()):
            raise NotYet
        if not self.preparers:
            return None
        intent, argument = read_intent(event)
        if intent is not Intent.TEXT or len(argument) > self.max_text_chars:
            return None
        session = self.store.get(f"sessions/{user_key(event.channel, event.user_id)}") or {}
        preparer = self.preparers.get(step_for(str(session.get("state", State.MENU)),
                                               intent).handler)
        return preparer(event, argument) if preparer is not None else None

    def _decide(
        self, txn: Transaction, event: InboundEvent, task_id: str, prepared: Any = None,
        llm_counts: dict[str, int] | None = None,
    ) -> Decision:
        key = user_key(event.channel, event.user_id)
        now = self.clock.now()
        user = txn.get(f"users/{key}")
        session = txn.get(f"sessions/{key}")
        usage_doc = txn.get(usage.usage_path(key, now))  # read phase: bumped below
        quota = self.limits.start(txn.get(limits_path(key)), key, now)
        if session is not None and session.get("expires_at") and session["expires_at"] <= now:
            session = None  # TTL deletion lags: an expired session counts as gone
        if user is None:
            user = {"channel": event.channel.value, "platform_id": event.user_id,
                    "language": ui_language(event.language_code, event.channel),
                    "created_at": now}
        intent, argument = read_intent(event)
        turn = Turn(event, user, dict(session or {"state": State.MENU}), argument, now,
                    prepared)
        step = step_for(turn.state, intent)
        flood = quota.message()
        if flood is not None:  # plumbing/limits.py: answer the first, drop the rest
            step, reply = Step("limit_reached"), self._limited(turn, "messages", flood)
        elif intent is Intent.TEXT and len(argument) > self.max_text_chars:
            reply = self._too_long(turn)  # nothing reaches a mode handler or a model
        else:
            reply = self.handlers[step.handler](turn)
            over = quota.jobs(job for job, _ in reply.jobs)
            if over is not None:  # nothing of the reply happens, not even its state
                step, reply = Step("limit_reached"), self._limited(turn, over, "reply")
        bind(channel=event.channel.value, action=step.handler, mode=turn.state,
             ui_language=turn.lang)
        log.info("dialog", extra={"channel": event.channel.value, "action": step.handler,
                                  "mode": turn.state, "ui_language": turn.lang})

        if not reply.erase:
            user.update(reply.user)
            user.update({"chat_id": event.chat_id, "last_seen_at": now})
            next_state = reply.next_state or step.next_state or turn.state
            session_doc = {**turn.session, **reply.session, "state": str(next_state),
                           "user_id": key, "updated_at": now,
                           "expires_at": now + timedelta(seconds=self.session_ttl_s)}
            txn.set(f"users/{key}", user)
            txn.set(f"sessions/{key}", session_doc)
            for path, doc in reply.writes:
                if doc is None:
                    txn.delete(path)
                else:
                    txn.set(path, doc)
            txn.set(usage.usage_path(key, now), usage.bump(
                usage_doc, user_key=key, channel=event.channel.value, at=now,
                counts={usage.action_counter(turn.state, step.handler): 1, **reply.usage,
                        **(llm_counts or {})}))
        ordering.mark_decided(txn, task_id.removeprefix("dialog:"), now)
        txn.set(limits_path(key), quota.document())
        jobs = [
            JobRequest(job=job, name=f"{job.value}-{stable_id(task_id, str(i))}",
                       payload={"id": stable_id(task_id, str(i)), "user": key,
                                "channel": event.channel.value, "chat_id": event.chat_id,
                                "language": str(user.get("language", "en")),
                                "emergency": self._emergency(user),
                                "reply_token": event.reply_token, "event_ms": event.timestamp_ms,
                                **args})
            for i, (job, args) in enumerate(reply.jobs)
        ]
        return Decision(
            channel=event.channel, chat_id=event.chat_id, user_key=key,
            messages=reply.messages,
            # A job that will answer later gets the reply token instead of us.
            reply_token=None if jobs and not reply.messages else event.reply_token,
            event_ms=event.timestamp_ms, send_key=task_id, loading=reply.loading,
            acknowledge=event.callback_id, jobs=jobs, erase_user=reply.erase,
        )

    def _apply(self, decision: Decision) -> None:
        for job in decision.jobs:
            self.tasks.enqueue(job.job.value, job.payload, name=job.name)
        self.delivery.deliver(decision)
        if decision.erase_user:
            # Last, so the erasure also takes the record of its own confirmation.
            self.eraser.erase(decision.user_key)

    # ------------------------------------------------------------------ handlers
    def _menu(self, lang: str, text: str | None = None) -> Text:
        return Text(
            text=text or t(lang, "menu.title"),
            buttons=[
                Button(label=t(lang, "menu.education"), data="mode:edu"),
                Button(label=t(lang, "menu.translation"), data="mode:tr"),
                Button(label=t(lang, "menu.medication"), data="mode:med"),
                Button(label=t(lang, "menu.help"), data="help"),
                Button(label=t(lang, "menu.language"), data="language"),
            ],
        )

    def _menu_button(self, lang: str) -> Button:
        return Button(label=t(lang, "button.menu"), data="menu")

    def welcome(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang)], session={"data": {}})

    def show_menu(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang)])

    def _emergency(self, user: Doc) -> str:
        """The user's emergency number (domain/emergency.py); jobs carry it too."""
        zone = user.get("timezone")
        return emergency_number(str(zone) if zone else None, str(user.get("language", "en")),
                                self.emergency_default)

    def show_help(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "help.text",
                                              emergency=self._emergency(turn.user)))])

    def ask_language(self, turn: Turn) -> Reply:
        buttons = [Button(label=t(code, f"lang.{code}"), data=f"lang:{code}")
                   for code in UI_LANGUAGES]
        return Reply([Text(text=t(turn.lang, "language.ask"), buttons=buttons)])

    def set_language(self, turn: Turn) -> Reply:
        if turn.argument not in UI_LANGUAGES:
            return self.ask_language(turn)
        lang = turn.argument
        return Reply([self._menu(lang, t(lang, "language.set") + "\n\n" + t(lang, "menu.title"))],
                     user={"language": lang, "language_chosen": True})

    def ask_delete(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "delete.confirm"), buttons=[
            Button(label=t(turn.lang, "delete.yes"), data="del:yes"),
            Button(label=t(turn.lang, "delete.no"), data="keep"),
        ])])

    def delete_data(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "delete.done"))], erase=True)

    def keep_data(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "delete.cancelled"))])

    def enter_education(self, turn: Turn) -> Reply:
        buttons = [Button(label=t(turn.lang, f"topic.{topic}"), data=f"topic:{topic}")
                   for topic in EDUCATION_TOPICS]
        return Reply([Text(text=t(turn.lang, "education.intro"),
                           buttons=[*buttons, self._menu_button(turn.lang)])])

    def request_leaflet(self, turn: Turn) -> Reply:
        if turn.event.kind == "postback":
            if turn.argument not in EDUCATION_TOPICS:
                return self.enter_education(turn)
            topic = t(turn.lang, f"topic.{turn.argument}")
        else:
            topic = turn.argument
        request = {"topic": topic}
        return Reply(jobs=[(Job.GENERATE, request)], loading=True,
                     session={"last_job": {"job": Job.GENERATE.value, "args": request}})

    # Medical translation handlers: services/medchat_dialog.py (feature_handlers).

    def enter_medication(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "medication.intro"),
                           buttons=[self._menu_button(turn.lang)])])

    def medication_command(self, turn: Turn) -> Reply:
        if self.medication is not None:
            return self.medication(turn)
        return self.enter_medication(turn)

    def retry_job(self, turn: Turn) -> Reply:
        last = turn.session.get("last_job")
        if not isinstance(last, dict) or last.get("job") not in {j.value for j in Job}:
            return self.show_menu(turn)
        return Reply(jobs=[(Job(last["job"]), dict(last.get("args") or {}))], loading=True)

    def not_understood(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "unknown"))])

    def unsupported_media(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "unsupported"),
                           buttons=[self._menu_button(turn.lang)])])

    def empty_message(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "empty"))])

    def ignore(self, turn: Turn) -> Reply:
        return Reply()

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
