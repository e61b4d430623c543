"""LLM calls per user action, through the real entry points (functions-framework test
clients of main.py: webhook -> dialog_worker -> job workers) on in-memory fakes, with a
ScriptedModel injected as the container's model (it records every call). Also the
share of medication commands the deterministic parser answers without a model call,
on the labelled corpus (tests/unit/medication_corpus.py).

Run from the repository root: .venv/bin/python -m bench.llm_calls
Each action runs on a fresh container, on LINE and on Telegram; only the calls made by
the measured step are counted (the steps that set it up are not). No message text is
printed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.bootstrap import Container
from shared.domain.channels import Channel
from shared.fakes.scripted_llm import ScriptedModel
from tests.support import (
    LINE_USER,
    TELEGRAM_USER,
    fake_container,
    line_body,
    line_event,
    newest_button,
    post_line,
    post_telegram,
    pump,
    serving,
    telegram_update,
)
from tests.unit.medication_corpus import CASES, evaluate

LEAFLET = ("# High blood pressure\n\n## Overview\nBlood pressure that stays high.\n\n"
           "## Key facts\n- Measure it daily\n- Eat **less salt**\n\nNot medical advice.")
TRANSLATED = {"plain": "I have had a headache for three days.",
              "translation": "У меня три дня болит голова."}
TAIGI = {"plain": "我頭痛三天了。", "translation": "我頭殼疼三工矣。"}
DOSE_CHANGE = {"kind": "dose_change", "timezone": None,
               "items": [{"medication_id": "m1", "name": "aspirin", "dosage": "50 mg"}]}


class User:
    """One patient on one channel, through the webhooks and the task pump."""

    def __init__(self, c: Container, channel: str) -> None:
        self.c, self.channel = c, channel
        self.chat = LINE_USER if channel == "line" else str(TELEGRAM_USER)
        self.jobs: list[str] = []  # queues of the tasks the last action ran

    def say(self, text: str | None = None, data: str | None = None) -> None:
        if self.channel == "line":
            event = line_event("postback", data=data) if data else line_event(text=text or "")
            status = post_line(line_body(event)).status_code
        else:
            status = post_telegram(telegram_update(text=text, data=data)).status_code
        assert status == 200, status
        self._pump()

    def tap(self, verb: str, last: str | None = None) -> None:
        """Tap the newest button of a kind (buttons carry the id of their object)."""
        messenger = self.c.messengers[Channel(self.channel)]
        self.say(data=newest_button(messenger, self.chat, verb, last))

    def voice(self, audio: bytes) -> None:
        messenger: Any = self.c.messengers[Channel(self.channel)]
        if self.channel == "line":
            messenger.add_audio("2", audio)
            status = post_line(line_body(line_event("audio"))).status_code
        else:
            messenger.add_audio("voice-1", audio)
            update = {"update_id": int(time.time() * 1000) % 10**9, "message": {
                "message_id": 5, "date": int(time.time()),
                "chat": {"id": TELEGRAM_USER, "type": "private"},
                "from": {"id": TELEGRAM_USER, "is_bot": False, "first_name": "T",
                         "language_code": "en"},
                "voice": {"file_id": "voice-1", "file_size": len(audio), "duration": 2}}}
            status = post_telegram(update).status_code
        assert status == 200, status
        self._pump()

    def _pump(self) -> None:
        pump(self.c)


@dataclass(frozen=True)
class Action:
    name: str
    expected: int
    setup: Callable[[User, ScriptedModel], None]
    act: Callable[[User, ScriptedModel], None]
    only_job: str | None = None  # count only the calls made while this job's task ran


def _medication(u: User, _m: ScriptedModel) -> None:
    u.say(data="mode:med")
    u.say(data="med:tz:UTC")
    u.say("add aspirin 100 mg at 08:00")


def _leaflet(u: User, m: ScriptedModel) -> None:
    m.add_text(LEAFLET)
    u.say(data="mode:edu")
    u.say("hypertension")


def _translation_mode(target: str) -> Callable[[User, ScriptedModel], None]:
    def setup(u: User, _m: ScriptedModel) -> None:
        u.say(data="mode:tr")
        u.say(data=f"tr:{target}")
    return setup


def _nothing(_u: User, _m: ScriptedModel) -> None:
    pass


def _parser_command(u: User, _m: ScriptedModel) -> None:
    u.say("add metformin 500 mg at 12:00")


def _free_command(u: User, m: ScriptedModel) -> None:
    m.add_json(DOSE_CHANGE)
    u.say("my doctor says half the aspirin from now on, so 50 mg")


def _modify(u: User, m: ScriptedModel) -> None:
    m.add_text(LEAFLET)
    u.tap("lfmod")
    u.say("shorter")


def _translate_leaflet(u: User, m: ScriptedModel) -> None:
    m.add_text(LEAFLET)
    u.tap("lftr")
    u.tap("lfto", "ru")


def _message(answer: dict[str, str]) -> Callable[[User, ScriptedModel], None]:
    def act(u: User, m: ScriptedModel) -> None:
        m.add_json(answer)
        u.say("my head hurts")
    return act


def _voice(u: User, m: ScriptedModel) -> None:
    m.add_transcript("my head hurts")
    m.add_json(TRANSLATED)
    u.voice(b"\x00voice" * 500)


ACTIONS: tuple[Action, ...] = (
    Action("medication command the parser understands", 0, _medication, _parser_command),
    Action("medication command the parser leaves", 1, _medication, _free_command),
    Action("leaflet", 1, _nothing, _leaflet),
    Action("modify a leaflet", 1, _leaflet, _modify),
    Action("translate a leaflet", 1, _leaflet, _translate_leaflet),
    Action("medical translation message", 1, _translation_mode("ru"), _message(TRANSLATED)),
    Action("voice message (transcribe + translate)", 2, _translation_mode("ru"), _voice),
    Action("Taigi speech (taigi_worker only)", 0, _translation_mode("nan"), _message(TAIGI),
           only_job="taigi"),
)


def measure(action: Action, channel: str) -> tuple[int, dict[str, int], list[str]]:
    """(calls counted, calls by method, queues of the tasks the measured step ran)."""
    c = fake_container()
    model = ScriptedModel()
    c.__dict__["llm"] = model
    with serving(c):
        user = User(c, channel)
        action.setup(user, model)
        before = len(model.calls)
        ran: list[str] = []
        by_job: dict[str, int] = {}
        queue: Any = c.tasks
        original = queue.take

        def take(now: Any) -> Any:
            tasks = original(now)
            ran.extend(task.queue for task in tasks)
            return tasks

        queue.take = take
        # Attribute calls to jobs: run one round of tasks at a time.
        user._pump = lambda: _pump_by_job(c, model, by_job)  # type: ignore[method-assign]
        action.act(user, model)
        calls = model.calls[before:]
    methods: dict[str, int] = {}
    for call in calls:
        methods[call.method] = methods.get(call.method, 0) + 1
    counted = by_job.get(action.only_job, 0) if action.only_job else len(calls)
    return counted, methods, ran


def _pump_by_job(c: Container, model: ScriptedModel, by_job: dict[str, int]) -> None:
    from tests.support import _WORKER_BY_QUEUE, DEV_TOKEN, client

    queue: Any = c.tasks
    for _ in range(10):
        tasks = queue.take(c.clock.now())
        if not tasks:
            return
        for task in tasks:
            before = len(model.calls)
            response = client(_WORKER_BY_QUEUE[task.queue]).post(
                "/", json=task.payload, headers={"Authorization": f"Bearer {DEV_TOKEN}"})
            assert response.status_code == 200, (task.queue, response.status_code)
            by_job[task.queue] = by_job.get(task.queue, 0) + len(model.calls) - before


def main() -> None:
    logging.disable(logging.CRITICAL)  # the workers' JSON logs are not the figure
    print(f"{'user action':44} {'expected':>8} {'LINE':>5} {'Telegram':>8}  "
          f"by method (Telegram)  tasks run (Telegram)")
    mismatches = 0
    for action in ACTIONS:
        line, _, _ = measure(action, "line")
        telegram, methods, ran = measure(action, "telegram")
        ok = line == telegram == action.expected
        mismatches += not ok
        method_text = ", ".join(f"{k} {v}" for k, v in sorted(methods.items())) or "-"
        print(f"{action.name:44} {action.expected:8} {line:5} {telegram:8}  "
              f"{method_text:20} {' > '.join(ran)}{'' if ok else '  <- differs'}")

    score = evaluate()
    total = len(CASES)
    no_model = sum(1 for case in CASES if _parsed(case.text, case.known))
    print()
    print(f"medication corpus ({total} labelled messages, tests/unit/medication_corpus.py):")
    print(f"  answered by the deterministic parser: {score.given}/{score.expected} of the "
          f"answerable commands = {score.coverage:.1%} (precision {score.precision:.3f})")
    print(f"  left by the parser (bare-command reader, else one model call): "
          f"{total - no_model} of all {total} messages = {(total - no_model) / total:.1%}")
    if mismatches:
        print(f"{mismatches} action(s) differ from the expected count")


def _parsed(text: str, known: tuple[str, ...]) -> bool:
    from shared.medication import parse_command

    return parse_command(text, known) is not None


if __name__ == "__main__":
    main()
