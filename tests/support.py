"""Builders shared by the function and e2e tests: a container on in-memory fakes,
signed platform payloads, and a task pump that runs queued tasks through the real
worker entry points."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import functions_framework
from flask.testing import FlaskClient

from shared.bootstrap import Container, registry, using
from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.signatures import line_signature
from shared.fakes.memory_store import MemoryStore
from shared.fakes.memory_tasks import MemoryTaskQueue
from shared.fakes.recording_messenger import RecordingMessenger
from shared.features.medication.model import DailyAt, Dose
from shared.features.medication.repository import dose_doc
from shared.jobs import WORKERS, Job, lanes_of
from shared.settings import Settings

LINE_SECRET = "line-channel-secret-for-tests"
TELEGRAM_SECRET = "telegram-secret_for-tests"
DEV_TOKEN = "dev-token-for-tests"
LINE_USER = "U" + "0123456789abcdef" * 2
TELEGRAM_USER = 424242


def test_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "worker_auth": "dev-token", "dev_auth_token": DEV_TOKEN,
        "line_channel_secret": LINE_SECRET, "telegram_webhook_secret": TELEGRAM_SECRET,
        "store_backend": "memory", "tasks_backend": "memory", "blob_backend": "memory",
        **overrides,
    }
    return Settings(**values)


def dose_document(dose_id: str, user: str, medication: str | None, name: str, dosage: str,
                  hhmm: str, zone: str, now: datetime) -> dict[str, Any]:
    """A dose as the medication feature stores it, its first slot after `now`."""
    return dose_doc(Dose.first(dose_id, user, medication, name, dosage, DailyAt(hhmm), zone,
                               now))


def registered_store() -> MemoryStore:
    """An in-memory store that refuses collections no feature registered, like the
    container's own (so a test that swaps the store still catches them)."""
    return MemoryStore(registered=lambda: registry().collections)


def fake_container(settings: Settings | None = None) -> Container:
    c = Container(settings or test_settings())
    # Fakes injected where the real adapters would be (cached_property slots).
    c.__dict__["clock"] = FixedClock(datetime.now(UTC))
    # The messengers render each send as the real adapters do and check it against the
    # platforms' rules, fetching linked audio from the container's blob store.
    c.__dict__["messengers"] = {ch: RecordingMessenger(ch, media=lambda url: _open(c, url))
                                for ch in Channel}
    return c


def clocked_container(start: datetime) -> Container:
    """A fake container whose store refuses unregistered collections and whose clock
    stands at `start` (the reminder, supply and lifecycle tests move it)."""
    c = fake_container()
    c.__dict__["store"] = registered_store()
    c.__dict__["clock"] = FixedClock(start)
    return c


def recording(c: Container, channel: Channel = Channel.TELEGRAM) -> RecordingMessenger:
    """The container's recording messenger of one channel (what the user received)."""
    found = c.messengers[channel]
    assert isinstance(found, RecordingMessenger)
    return found


def _open(c: Container, url: str) -> bytes | None:
    opener = getattr(c.blobs, "open_signed_url", None)
    return opener(url) if opener is not None else None


_clients: dict[str, FlaskClient] = {}


def client(target: str) -> FlaskClient:
    """functions-framework's own app for one entry point of main.py."""
    if target not in _clients:
        app = functions_framework.create_app(target=target, source="main.py")
        _clients[target] = app.test_client()
    return _clients[target]


@contextmanager
def serving(c: Container) -> Iterator[Container]:
    with using(c):
        yield c


def line_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)}).encode()


def line_event(kind: str = "text", text: str = "hello", data: str = "",
               user: str = LINE_USER, timestamp_ms: int | None = None,
               event_id: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message" if kind in ("text", "audio") else kind,
        "webhookEventId": event_id or "01" + secrets.token_hex(12).upper(),
        "deliveryContext": {"isRedelivery": False},
        "timestamp": timestamp_ms if timestamp_ms is not None else int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "replyToken": secrets.token_hex(16),
        "mode": "active",
    }
    if kind == "text":
        event["message"] = {"id": "1", "type": "text", "text": text}
    elif kind == "audio":
        event["message"] = {"id": "2", "type": "audio", "duration": 1000}
    elif kind == "postback":
        event["postback"] = {"data": data}
    return event


def post_line(body: bytes, secret: str = LINE_SECRET, signature: str | None = None) -> Any:
    sig = signature if signature is not None else line_signature(body, secret)
    return client("line_webhook").post("/", data=body, headers={
        "x-line-signature": sig, "content-type": "application/json"})


_update_ids = iter(range(10_000, 10_000_000))


def telegram_update(text: str | None = "hello", data: str | None = None,
                    user: int = TELEGRAM_USER, update_id: int | None = None,
                    language_code: str = "en") -> dict[str, Any]:
    sender = {"id": user, "is_bot": False, "first_name": "Test", "language_code": language_code}
    chat = {"id": user, "type": "private"}
    uid = update_id if update_id is not None else next(_update_ids)
    if data is not None:
        return {"update_id": uid, "callback_query": {
            "id": str(uid), "from": sender, "chat_instance": "1", "data": data,
            "message": {"message_id": 7, "date": int(time.time()), "chat": chat}}}
    return {"update_id": uid, "message": {"message_id": uid, "date": int(time.time()),
                                          "chat": chat, "from": sender, "text": text}}


def post_telegram(update: dict[str, Any] | bytes, secret: str | None = TELEGRAM_SECRET) -> Any:
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return client("telegram_webhook").post("/", data=body, headers=headers)


# Queue id (a job's, or one of its lanes: shared/jobs.py) -> its worker.
_WORKER_BY_QUEUE = {queue: WORKERS[job] for job in Job
                    for queue in (job.value, *(f"{job.value}-{lane}" for lane in lanes_of(job)))}


def pump(c: Container, rounds: int = 10) -> int:
    """Run every queued task through its worker entry point until the queue is empty."""
    queue = c.tasks
    assert isinstance(queue, MemoryTaskQueue)
    ran = 0
    for _ in range(rounds):
        tasks = queue.take(c.clock.now())
        if not tasks:
            break
        for task in tasks:
            response = client(_WORKER_BY_QUEUE[task.queue]).post(
                "/", json=task.payload, headers={"Authorization": f"Bearer {DEV_TOKEN}"})
            assert response.status_code == 200, (task.queue, response.status_code)
            ran += 1
    return ran


def newest_button(messenger: Any, chat_id: str, verb: str, last: str | None = None) -> str:
    """The data of the newest button of a kind in a chat ("lfmail" -> "lfmail:<id>";
    `last`: its last argument, "lfto" + "ru"): what a patient taps under the message
    on screen, now that buttons carry the id of their object."""
    for message in reversed(list(messenger.messages_to(chat_id))):
        for button in getattr(message, "buttons", None) or []:
            data = str(button.data)
            if (data == verb or data.startswith(verb + ":")) and (
                    last is None or data.endswith(f":{last}")):
                return data
    raise AssertionError(f"no {verb} button in the chat")


def texts(messenger: Any, chat_id: str) -> list[str]:
    return [m.text for m in messenger.messages_to(chat_id) if getattr(m, "text", None)]


def zh_leaflet_of_exactly(length: int) -> str:
    """Chinese sentences ending in "。", exactly `length` characters: the splitter may
    cut right after the last "。", which is exactly at the limit."""
    sentence = "高血壓需要長期控制，請按時服藥並定期量血壓。"
    count, rest = divmod(length, len(sentence))
    return sentence * (count - 1) + "請" * (len(sentence) + rest - 1) + "。"
