"""Erasure is final (issue 13): a job queued before "delete my data" and run after it
writes nothing (no document, no file, no archive copy, no usage counter) and sends
nothing. Every job kind, on the in-memory fakes and on the Firestore emulator.

GIVEN a Telegram patient whose action queued a job (held back, as when Cloud Tasks is
slow or the task is being retried), WHEN they erase their data and THEN the job runs,
THEN its worker answers 200 (no retry), the chat gets nothing more and no trace of the
patient is left anywhere.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.bootstrap import Container, registry
from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.fakes.memory_tasks import MemoryTaskQueue, QueuedTask
from shared.fakes.recording_messenger import RecordingMessenger
from shared.fakes.taigi_fake import FakeTaigi
from shared.jobs import WORKERS, Job, job_of
from shared.plumbing.collections import session_path
from shared.plumbing.erasures import marker_path
from tests.support import (
    DEV_TOKEN,
    TELEGRAM_USER,
    client,
    fake_container,
    line_body,
    line_event,
    post_line,
    post_telegram,
    serving,
    telegram_update,
)

CHAT = str(TELEGRAM_USER)
KEY = f"telegram-{TELEGRAM_USER}"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Patient:
    """Drives the real entry points; tasks of the `held` kind wait in `self.held`."""

    def __init__(self, c: Container, held: Job) -> None:
        self.c, self.held_kind = c, held
        self.held: list[QueuedTask] = []

    def pump(self) -> None:
        queue = self.c.tasks
        assert isinstance(queue, MemoryTaskQueue)
        for _ in range(20):
            tasks = queue.take()
            if not tasks:
                return
            for task in tasks:
                if job_of(task.queue) is self.held_kind:
                    self.held.append(task)
                else:
                    assert run(task).status_code == 200, task.queue

    def say(self, text: str | None = None, data: str | None = None) -> None:
        assert post_telegram(telegram_update(text=text, data=data)).status_code == 200
        self.pump()

    def voice(self) -> None:
        telegram(self.c).add_audio("voice-1", b"OggS" + b"\0" * 64)
        update = {"update_id": int(time.time() * 1000) % 10**9, "message": {
            "message_id": 5, "date": int(time.time()),
            "chat": {"id": TELEGRAM_USER, "type": "private"},
            "from": {"id": TELEGRAM_USER, "is_bot": False, "first_name": "T"},
            "voice": {"file_id": "voice-1", "file_unique_id": "u", "duration": 2,
                      "mime_type": "audio/ogg", "file_size": 68}}}
        assert post_telegram(update).status_code == 200
        self.pump()

    def tick(self) -> None:
        response = client("reminder_tick").post(
            "/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
        assert response.status_code == 200
        self.pump()


def telegram(c: Container) -> RecordingMessenger:
    messenger = c.messengers[Channel.TELEGRAM]
    assert isinstance(messenger, RecordingMessenger)
    return messenger


def run(task: QueuedTask) -> Any:
    return client(WORKERS[job_of(task.queue)]).post(
        "/", json=task.payload, headers={"Authorization": f"Bearer {DEV_TOKEN}"})


def _leaflet(p: Patient) -> None:
    p.say(data="mode:edu")
    p.say(data="topic:flu")


MINE = "0" * 40  # a leaflet id as stable_id makes them (buttons carry ids: issue 12)


def _seeded_leaflet(p: Patient) -> None:
    p.c.store.set(f"leaflets/{MINE}", {"user_id": KEY, "language": "en",
                                       "text": "Drink water.", "topic": "flu"})


def _leaflet_id(p: Patient) -> str:
    """The leaflet on the patient's screen, whose id its buttons carry."""
    session = p.c.store.get(session_path(KEY))
    assert session is not None
    return str(session["leaflet_id"])


def _reminder(p: Patient) -> None:
    p.say(data="mode:med")
    p.say(data="med:tz:UTC")
    p.say("add aspirin 100 mg at 10:00")
    assert isinstance(p.c.clock, FixedClock)
    p.c.clock.current = START.replace(hour=10, minute=1)
    p.tick()


def _handout(p: Patient) -> None:
    _seeded_leaflet(p)
    p.say(data=f"lfpdf:{MINE}")


def _translation(p: Patient, target: str = "en") -> None:
    p.say(data="mode:tr")
    p.say(data=f"tr:{target}")
    p.say("頭痛")


def _speech(p: Patient) -> None:
    _seeded_leaflet(p)
    p.say(data=f"tts:leaflet:{MINE}")


def _voice(p: Patient) -> None:
    p.say(data="mode:tr")
    p.say(data="tr:en")
    p.voice()


def _email(p: Patient) -> None:
    _leaflet(p)
    p.say(data=f"lfmail:{_leaflet_id(p)}")
    p.say("patient@example.com")


def _care(p: Patient) -> None:
    """A caregiver (LINE) follows the patient: the dose's first reminder plans its
    missed-dose check, and the caregiver's joining told the patient (both care jobs)."""
    p.say(data="mode:med")
    p.say(data="med:tz:UTC")
    p.say("add aspirin 100 mg at 10:00")
    p.say("invite a caregiver")
    p.say("Mum")
    invite = telegram(p.c).messages_to(CHAT)[-1]
    code = re.search(r"[A-Z0-9]{8}", getattr(invite, "text", ""))
    assert code is not None
    assert post_line(line_body(line_event(text=code.group(0)))).status_code == 200
    p.pump()
    assert isinstance(p.c.clock, FixedClock)
    p.c.clock.current = START.replace(hour=10, minute=1)
    p.tick()


def _report(p: Patient) -> None:
    p.say(data="mode:med")
    p.say(data="med:tz:UTC")
    p.say("add aspirin 1 tablet at 10:00")
    p.say("I have 30 tablets of aspirin")  # a count on hand (features/supply)
    p.say("report for my doctor")


# How each job kind gets queued, as a patient would queue it.
SCENARIOS: dict[str, Callable[[Patient], None]] = {
    Job.GENERATE: _leaflet, "handout": _handout, Job.TRANSLATE: _translation,
    Job.TTS: _speech, Job.STT: _voice, Job.EMAIL: _email,
    Job.TAIGI: lambda p: _translation(p, "nan"), Job.REMIND: _reminder, Job.CARE: _care,
    Job.REPORT: _report,
}


def _held_kind(name: str) -> Job:
    return Job.GENERATE if name == "handout" else Job(name)


def traces(c: Container) -> list[str]:
    """Every document (any registered collection) and file that mentions the patient."""
    found: list[str] = []
    for collection in registry().collections:
        for path, doc in c.store.query(collection, limit=10_000):
            if CHAT in path or CHAT in json.dumps(doc, default=str):
                found.append(path)
    blobs = getattr(c.blobs, "_objects", {})
    found += [key for key in blobs if CHAT in key]
    return found


def _container(store: str, request: pytest.FixtureRequest) -> Container:
    c = fake_container()
    c.__dict__["clock"] = FixedClock(START)
    c.__dict__["taigi_speech"] = FakeTaigi()
    if store == "firestore":
        from shared.adapters.firestore_store import FirestoreStore

        c.__dict__["store"] = FirestoreStore(
            project=request.getfixturevalue("firestore_project"))
    return c


@pytest.mark.parametrize("store", ["memory", "firestore"])
@pytest.mark.parametrize("kind", list(SCENARIOS), ids=str)
def test_a_job_queued_before_the_erasure_does_nothing_after_it(
        kind: str, store: str, request: pytest.FixtureRequest) -> None:
    c = _container(store, request)
    with serving(c):
        patient = Patient(c, _held_kind(kind))
        SCENARIOS[kind](patient)
        assert patient.held, f"the scenario queued no {kind} job"
        assert traces(c)

        patient.say("delete my data")
        patient.say(data="del:yes")
        assert traces(c) == []
        messenger = telegram(c)
        seen = (len(messenger.messages_to(CHAT)), len(messenger.loading), len(messenger.acks))
        model: Any = c.llm
        llm_calls = model.count() if hasattr(model, "count") else None

        for task in patient.held:
            response = run(task)
            assert response.status_code == 200  # done: Cloud Tasks does not retry it
            assert run(task).status_code == 200  # a redelivery too
        patient.pump()  # and nothing it could have asked for

        assert traces(c) == []
        assert (len(messenger.messages_to(CHAT)), len(messenger.loading),
                len(messenger.acks)) == seen
        if llm_calls is not None:
            assert model.count() == llm_calls  # no model call for an erased patient
        assert c.mailer.outbox == [] if hasattr(c.mailer, "outbox") else True
        # The marker names no one: it is keyed by a hash.
        marker = c.store.get(marker_path(KEY))
        assert marker is not None and CHAT not in json.dumps(marker, default=str)


def test_a_patient_who_comes_back_after_the_erasure_gets_their_new_jobs() -> None:
    c = fake_container()
    c.__dict__["clock"] = FixedClock(START)
    with serving(c):
        patient = Patient(c, Job.GENERATE)
        _leaflet(patient)
        patient.say("delete my data")
        patient.say(data="del:yes")
        old = patient.held[:]
        patient.held.clear()

        assert isinstance(c.clock, FixedClock)
        c.clock.current = START.replace(minute=5)
        _leaflet(patient)  # the same patient, starting again
        [new] = patient.held
        assert run(new).status_code == 200
        assert [path for path in traces(c) if path.startswith("leaflets/")]
        leaflets = len(c.store.query("leaflets", limit=100))
        for task in old:  # the job from before the erasure still does nothing
            assert run(task).status_code == 200
        assert len(c.store.query("leaflets", limit=100)) == leaflets
