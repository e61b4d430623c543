"""Operations: structured logs of real requests (function, trace id, no message text),
usage counters written by the dialog, the jobs and the reminders, the archive of
generated documents, and the operator CLI (webhook registration, usage report)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra import ops
from infra.local.gemini_server import GeminiServer
from infra.local.platforms import PlatformServer, PlatformState
from shared.bootstrap import Container, registry
from shared.clock import FixedClock
from shared.domain import usage
from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.messages import Text
from shared.fakes.memory_blobs import MemoryBlobStore
from shared.fakes.memory_store import MemoryStore
from shared.fakes.memory_tasks import MemoryTaskQueue
from shared.fakes.recording_messenger import RecordingMessenger
from shared.fakes.scripted_llm import ScriptedModel
from shared.features.reminders.service import ReminderService
from shared.jobs import Job
from shared.log import TRACE_FIELD, JsonFormatter
from shared.plumbing.delivery import Delivery
from shared.plumbing.jobkit import JobKit
from shared.ports import LlmError, LlmText, Transaction
from tests.support import (
    DEV_TOKEN,
    TELEGRAM_USER,
    client,
    dose_document,
    fake_container,
    post_telegram,
    pump,
    serving,
    telegram_update,
)

KEY = f"telegram-{TELEGRAM_USER}"
CHAT = str(TELEGRAM_USER)
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
# Something a patient might write: it must never reach a log line.
PRIVATE = "I have chest pain since 3am, write to jane.doe@example.org"


class Logs:
    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonFormatter())

    @property
    def raw(self) -> str:
        return self.stream.getvalue()

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.raw.splitlines()]


@pytest.fixture
def logs() -> Iterator[Logs]:
    captured = Logs()
    root = logging.getLogger()
    level = root.level
    root.addHandler(captured.handler)
    root.setLevel(logging.INFO)
    try:
        yield captured
    finally:
        root.removeHandler(captured.handler)
        root.setLevel(level)


@pytest.fixture
def c() -> Iterator[Container]:
    container = fake_container()
    container.__dict__["clock"] = FixedClock(START)
    with serving(container):
        yield container


def usage_doc(c: Container, key: str = KEY, at: datetime = START) -> dict[str, Any]:
    return c.store.get(usage.usage_path(key, at)) or {}


# --------------------------------------------------------------------------- logs
def test_every_line_of_a_request_carries_function_and_trace_and_never_the_text(
        c: Container, logs: Logs) -> None:
    update = telegram_update(text=PRIVATE)
    response = client("telegram_webhook").post("/", json=update, headers={
        "X-Telegram-Bot-Api-Secret-Token": c.settings.telegram_webhook_secret,
        "X-Cloud-Trace-Context": f"{TRACE}/1;o=1"})
    assert response.status_code == 200
    webhook_lines = logs.entries()
    assert webhook_lines, "the webhook logged nothing"
    for entry in webhook_lines:
        assert entry["function"] == "telegram_webhook"
        assert entry[TRACE_FIELD] == f"projects/{c.settings.gcp_project}/traces/{TRACE}"
    assert webhook_lines[-1]["channel"] == "telegram" and "latency_ms" in webhook_lines[-1]

    pump(c)
    worker_lines = logs.entries()[len(webhook_lines):]
    assert {e["function"] for e in worker_lines} >= {"dialog_worker"}
    [dialog] = [e for e in worker_lines if e["message"] == "dialog"]
    assert dialog["channel"] == "telegram" and dialog["ui_language"] == "en"
    assert dialog["action"] and dialog["mode"] == "menu"
    [task] = [e for e in worker_lines if e["message"] == "task"]
    assert task["outcome"] == "done" and task["latency_ms"] >= 0
    assert task["action"] == dialog["action"]  # bound for the rest of the request
    assert TRACE_FIELD not in task  # the next request starts a fresh context
    assert PRIVATE not in logs.raw and "jane.doe" not in logs.raw and "chest" not in logs.raw


# --------------------------------------------------------------------------- dialog
def test_dialog_counts_actions_per_mode_and_channel(c: Container) -> None:
    assert post_telegram(telegram_update(text="/start")).status_code == 200
    assert post_telegram(telegram_update(data="mode:med")).status_code == 200
    pump(c)
    doc = usage_doc(c)
    assert doc["channel"] == "telegram" and doc["user_id"] == KEY
    counts = doc["counts"]
    assert sum(v for k, v in counts.items() if k.startswith("action.")) == 2
    assert all(k.startswith("action.menu.") for k in counts)
    assert PRIVATE not in json.dumps(doc, default=str)


def test_erasing_a_user_takes_their_usage_documents(c: Container) -> None:
    post_telegram(telegram_update(text="hello"))
    pump(c)
    assert usage_doc(c)
    c.eraser.erase(KEY)
    assert usage_doc(c) == {}


# --------------------------------------------------------------------------- jobs
def kit(llm: ScriptedModel) -> tuple[JobKit, MemoryStore, MemoryBlobStore]:
    store, blobs = MemoryStore(), MemoryBlobStore()
    messengers = {ch: RecordingMessenger(ch) for ch in Channel}
    clock = FixedClock(START)
    return JobKit(store, clock, llm, Delivery(store, clock, messengers), blobs=blobs,
                  archived=registry().archived), store, blobs


TASK = {"id": "t1", "user": KEY, "channel": "telegram", "chat_id": CHAT, "language": "ru"}


def leaflet_job(job_kit: JobKit) -> Any:
    def prepare() -> LlmText:
        return job_kit.llm.generate("system", "topic")

    def decide(txn: Transaction, result: LlmText) -> Decision:
        txn.set("leaflets/L1", {"user_id": KEY, "text": result.text, "model": result.model})
        txn.set("leaflets/L1", {"seen": True}, merge=True)  # partial: not archived again
        return job_kit.decision(TASK, [Text(text=result.text)])

    return job_kit.run(Job.GENERATE, TASK, prepare, decide)


def test_a_model_call_is_logged_and_counted_with_its_tokens(logs: Logs) -> None:
    llm = ScriptedModel().add_text(LlmText(text=PRIVATE, model="gemini-test",
                                           input_tokens=120, output_tokens=480))
    job_kit, store, _ = kit(llm)
    assert leaflet_job(job_kit) == "done"
    counts = store.get(usage.usage_path(KEY, START))["counts"]  # type: ignore[index]
    assert counts == {usage.LLM_CALLS: 1, usage.LLM_INPUT_TOKENS: 120,
                      usage.LLM_OUTPUT_TOKENS: 480}
    [call] = [e for e in logs.entries() if e["message"] == "llm call"]
    assert (call["model"], call["input_tokens"], call["output_tokens"]) == ("gemini-test", 120, 480)
    assert call["job"] == "generate" and call["outcome"] == "ok" and "llm_latency_ms" in call
    assert PRIVATE not in logs.raw


def test_a_failed_model_call_is_counted_as_a_failure() -> None:
    llm = ScriptedModel().add_error("generate", LlmError("429", retryable=True))
    job_kit, store, blobs = kit(llm)
    assert leaflet_job(job_kit) == "done"  # the user got an apology
    counts = store.get(usage.usage_path(KEY, START))["counts"]  # type: ignore[index]
    assert counts == {usage.LLM_CALLS: 1, usage.LLM_FAILURES: 1}
    assert blobs.get(f"archive/{KEY}/leaflets/L1.json") is None


def test_generated_documents_are_archived_for_clinical_review() -> None:
    llm = ScriptedModel().add_text(LlmText(text="leaflet body", model="m"))
    job_kit, store, blobs = kit(llm)
    leaflet_job(job_kit)
    archived = blobs.get(f"archive/{KEY}/leaflets/L1.json")
    assert archived is not None
    assert json.loads(archived) == {"user_id": KEY, "text": "leaflet body", "model": "m"}
    # A replayed task does not call the model or count it again.
    assert leaflet_job(job_kit) == "duplicate"
    counts = store.get(usage.usage_path(KEY, START))["counts"]  # type: ignore[index]
    assert counts[usage.LLM_CALLS] == 1


def test_archive_failure_does_not_fail_the_job(logs: Logs) -> None:
    class BrokenBlobs(MemoryBlobStore):
        def put(self, key: str, data: bytes, content_type: str) -> None:
            raise OSError("bucket unavailable")

    llm = ScriptedModel().add_text(LlmText(text="x", model="m"))
    job_kit, _, _ = kit(llm)
    job_kit.blobs = BrokenBlobs()
    assert leaflet_job(job_kit) == "done"
    [failed] = [e for e in logs.entries() if e["message"] == "archive failed"]
    assert failed["severity"] == "ERROR" and failed["error"] == "OSError"


# --------------------------------------------------------------------------- reminders
def reminders_setup() -> tuple[ReminderService, MemoryStore, MemoryTaskQueue, FixedClock]:
    store, tasks, clock = MemoryStore(), MemoryTaskQueue(), FixedClock(START)
    messengers = {ch: RecordingMessenger(ch) for ch in Channel}
    service = ReminderService(store, tasks, clock, Delivery(store, clock, messengers))
    store.set(f"users/{KEY}", {"channel": "telegram", "chat_id": CHAT, "language": "en"})
    store.set("doses/d1", dose_document("d1", KEY, None, "aspirin", "100 mg", "10:00", "UTC",
                                        START))
    return service, store, tasks, clock


def send_all(service: ReminderService, tasks: MemoryTaskQueue, clock: FixedClock) -> int:
    sent = 0
    for task in tasks.take(clock.now()):
        service.send(task.payload)
        sent += 1
    return sent


def test_reminders_sent_and_missed_are_counted_and_lateness_is_logged(logs: Logs) -> None:
    service, store, tasks, clock = reminders_setup()
    clock.current = datetime(2026, 1, 5, 10, 0, 42, tzinfo=UTC)  # the tick fired 42 s late
    service.tick()
    clock.advance(3)  # and the task ran 3 s later
    assert send_all(service, tasks, clock) == 1
    [line] = [e for e in logs.entries() if e["message"] == "reminder sent"]
    assert line["lateness_s"] == 45.0 and line["channel"] == "telegram"
    assert "aspirin" not in logs.raw

    # Nobody answers; the next day's slot makes yesterday's a miss.
    clock.current = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)
    service.tick()
    send_all(service, tasks, clock)
    day1 = store.get(usage.usage_path(KEY, START))["counts"]  # type: ignore[index]
    day2 = store.get(usage.usage_path(KEY, clock.now()))["counts"]  # type: ignore[index]
    assert day1[usage.REMINDERS_SENT] >= 1
    assert day2[usage.REMINDERS_MISSED] == 1 and day2[usage.REMINDERS_SENT] == 1


def test_taken_is_counted_through_the_dialog(c: Container) -> None:
    c.store.set(f"users/{KEY}", {"channel": "telegram", "platform_id": CHAT,
                                 "chat_id": CHAT, "language": "en"})
    c.store.set("doses/d1", dose_document("d1", KEY, None, "aspirin", "", "10:00", "UTC", START))
    clock = c.clock
    assert isinstance(clock, FixedClock)
    clock.current = START + timedelta(hours=1)
    response = client("reminder_tick").post("/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    assert json.loads(response.data)["enqueued"] == 1
    pump(c)
    messenger = c.messengers[Channel.TELEGRAM]
    assert isinstance(messenger, RecordingMessenger)
    [reminder] = [m for m in messenger.messages_to(CHAT)
                  if any(b.data.startswith("rt:") for b in m.buttons)]
    post_telegram(telegram_update(data=reminder.buttons[0].data))
    pump(c)
    counts = usage_doc(c, at=clock.current)["counts"]
    assert counts["reminders.sent"] == 1 and counts["reminders.taken"] == 1
    assert any(k.startswith("action.") and k.endswith(".reminder_taken") for k in counts)

    # ... and the operator's report shows it, read through the container's store.
    out = io.StringIO()
    assert ops.main(["usage", "--day", "2026-01-05"], out=out) == 0
    row = next(line for line in out.getvalue().splitlines() if line.startswith("2026-01-05"))
    header = out.getvalue().splitlines()[1].split()
    values = dict(zip(header, row.split(), strict=True))
    assert values["channel"] == "telegram" and values["rem_taken"] == "1"
    assert values["active"] == "1" and values["rem_sent"] == "1"


# --------------------------------------------------------------------------- models
def _gemini_env(monkeypatch: pytest.MonkeyPatch, server: GeminiServer, **env: str) -> None:
    for name in ("GEMINI_BACKEND", "GEMINI_MODEL", "GEMINI_TTS_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GEMINI_API_KEY", "ops-test-key")
    monkeypatch.setenv("GEMINI_BASE_URL", server.url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_models_lists_the_configured_models_the_backend_serves(
        gemini_server: GeminiServer, monkeypatch: pytest.MonkeyPatch) -> None:
    _gemini_env(monkeypatch, gemini_server)
    out = io.StringIO()
    assert ops.main(["models"], out=out) == 0
    lines = out.getvalue().splitlines()
    assert "backend api-key" in lines[0]
    assert lines[1].split() == ["GEMINI_MODEL", "gemini-3.8-flash", "ok"]
    assert lines[2].split() == ["GEMINI_TTS_MODEL", "gemini-3.8-flash-tts", "ok"]
    assert "ops-test-key" not in out.getvalue()
    assert gemini_server.requests == []  # models.get only, nothing generated
    assert gemini_server.lookups == ["/v1/models/gemini-3.8-flash",
                                     "/v1/models/gemini-3.8-flash-tts"]


@pytest.mark.parametrize(("variable", "retired"), [("GEMINI_MODEL", "gemini-2.5-flash"),
                                                   ("GEMINI_TTS_MODEL",
                                                    "gemini-2.5-flash-preview-tts")])
def test_models_exits_non_zero_naming_the_variable_of_a_missing_model(
        gemini_server: GeminiServer, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], variable: str, retired: str) -> None:
    _gemini_env(monkeypatch, gemini_server, **{variable: retired})
    out = io.StringIO()
    assert ops.main(["models"], out=out) == 1
    assert f"{variable:<17} {retired}" in out.getvalue() and "NOT FOUND" in out.getvalue()
    assert f"{variable}={retired}" in capsys.readouterr().err


def test_models_without_a_backend_says_what_to_set(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GEMINI_BACKEND", "offline")
    assert ops.main(["models"]) == 2
    assert "GEMINI_BACKEND=vertex" in capsys.readouterr().err


# --------------------------------------------------------------------------- webhooks
def test_telegram_webhook_registration_sends_the_secret_token(
        platform_server: PlatformServer, platform_state: PlatformState,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", platform_state.telegram_token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret_from-secret-manager")
    out = io.StringIO()
    url = "https://asia-east1-p.cloudfunctions.net/telegram_webhook"
    assert ops.main(["telegram-webhook", "--url", url,
                     "--api-base-url", platform_server.telegram_base_url], out=out) == 0
    assert platform_state.telegram_webhook_url == url
    assert platform_state.telegram_secret == "s3cret_from-secret-manager"
    # my_chat_member tells the bot a patient blocked it, or came back (issue 13).
    assert platform_state.telegram.allowed_updates == frozenset({
        "message", "callback_query", "my_chat_member"})
    assert "my_chat_member" in out.getvalue()
    assert "s3cret" not in out.getvalue()
    assert platform_state.telegram_token not in out.getvalue()


def test_telegram_webhook_registration_with_a_wrong_token_fails_cleanly(
        platform_server: PlatformServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:wrong-token")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret")
    assert ops.main(["telegram-webhook", "--url", "https://x.example/tg",
                     "--api-base-url", platform_server.telegram_base_url]) == 2


def test_every_model_call_of_a_task_is_counted_and_a_task_without_one_counts_none() -> None:
    llm = (ScriptedModel().add_transcript("頭痛")
           .add_text(LlmText(text="x", model="m", input_tokens=3, output_tokens=4)))
    job_kit, store, _ = kit(llm)

    def two_calls() -> LlmText:  # e.g. a voice message: transcribe, then write
        job_kit.llm.transcribe(b"audio", "audio/ogg")
        return job_kit.llm.generate("system", "prompt")

    def no_call() -> str:  # e.g. audio over the size limit: refused before any call
        return "refused"

    answer = lambda txn, _: job_kit.decision(TASK, [Text(text="ok")])  # noqa: E731
    assert job_kit.run(Job.STT, TASK, two_calls, answer) == "done"
    assert job_kit.run(Job.STT, {**TASK, "id": "t2"}, no_call, answer) == "done"
    counts = store.get(usage.usage_path(KEY, START))["counts"]  # type: ignore[index]
    assert counts == {usage.LLM_CALLS: 2, usage.LLM_INPUT_TOKENS: 3,
                      usage.LLM_OUTPUT_TOKENS: 4}


def test_the_dialogs_own_model_call_is_counted_with_its_action() -> None:
    # A medication command the parser leaves: the dialog's one structured model call.
    from shared.plumbing.metering import MeteredModel
    from tests.support import fake_container, post_telegram, pump, serving, telegram_update

    container = fake_container()
    container.__dict__["clock"] = FixedClock(START)
    container.__dict__["llm"] = MeteredModel(ScriptedModel(strict=False))
    with serving(container):
        for text in ("/start", None, "please sort out my pills somehow"):
            update = (telegram_update(data="mode:med") if text is None
                      else telegram_update(text=text))
            assert post_telegram(update).status_code == 200
            pump(container)
    doc = container.store.get(usage.usage_path(KEY, START))
    assert doc is not None and doc["counts"].get(usage.LLM_CALLS) == 1
