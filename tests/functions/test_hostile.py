"""The hostile suite (issue 13): every payload of the corpus (tests/fixtures/hostile/:
every LINE event type of line-bot-sdk's samples and LINE's OpenAPI spec, every Telegram
Update type, groups, standby, absurd fields), sent signed through the webhook and
handed to the dialog worker directly (a task queued before intake refused it).

Each gets what the corpus says, and never a 5xx: "reply" (the user gets an answer),
"silent" (no platform call at all), "leave" (one message to the group, then the bot
leaves it), "reply-or-silent".
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.signatures import line_signature
from shared.fakes.memory_tasks import MemoryTaskQueue
from shared.fakes.recording_messenger import RecordingMessenger
from tests.hostile import Case, line_cases, line_destination, telegram_cases
from tests.support import (
    DEV_TOKEN,
    LINE_SECRET,
    client,
    fake_container,
    post_line,
    post_telegram,
    pump,
    serving,
)

# Just after the corpus' events (tests/unit/test_admission.py).
NOW = datetime.fromtimestamp(1_780_000_100, UTC)
LINE_RUNS = [pytest.param("webhook", c, id=f"webhook-{c}") for c in line_cases()] + [
    pytest.param("dialog", c, id=f"dialog-{c}") for c in line_cases()]
TELEGRAM_RUNS = [pytest.param("webhook", c, id=f"webhook-{c}") for c in telegram_cases()] + [
    pytest.param("dialog", c, id=f"dialog-{c}") for c in telegram_cases()]


def _messengers(c: Any) -> list[RecordingMessenger]:
    found = [c.messengers[ch] for ch in Channel]
    assert all(isinstance(m, RecordingMessenger) for m in found)
    return found


def _run_dialog(channel: str, event: dict[str, Any], task_id: str) -> int:
    answer = client("dialog_worker").post("/", json={
        "id": task_id, "channel": channel, "event": event,
        "received_at": NOW.isoformat()}, headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    return int(answer.status_code)


def _check(c: Any, case: Case, group: str | None) -> None:
    pump(c)  # every task the event started answers 200 (the pump asserts it)
    queue = c.tasks
    assert isinstance(queue, MemoryTaskQueue) and queue.tasks == []
    messengers = _messengers(c)
    sent = [(m.channel, chat) for m in messengers for chat, _ in m.bubbles]
    sends = sum(len(m.sends) for m in messengers)
    left = [chat for m in messengers for chat in m.left]
    calls = sends + sum(len(m.loading) + len(m.acks) for m in messengers)
    if case.expect == "silent":
        assert calls == 0 and not left, (case.name, sent)
    elif case.expect == "reply":
        assert sends >= 1 and not left, case.name
    elif case.expect == "leave":
        assert group is not None
        assert {chat for _, chat in sent} == {group} and sends == 1, (case.name, sent)
        assert left == [group]


def _line_group(event: dict[str, Any]) -> str | None:
    source = event.get("source")
    if not isinstance(source, dict):
        return None
    value = source.get("groupId") or source.get("roomId")
    return str(value) if value else None


def _telegram_group(update: dict[str, Any]) -> str | None:
    change = update.get("my_chat_member")
    chat = change.get("chat") if isinstance(change, dict) else None
    return str(chat["id"]) if isinstance(chat, dict) and "id" in chat else None


@pytest.mark.parametrize(("path", "case"), LINE_RUNS)
def test_every_line_event_gets_its_answer_and_never_a_5xx(path: str, case: Case) -> None:
    c = fake_container()
    c.__dict__["clock"] = FixedClock(NOW)
    event = copy.deepcopy(case.payload)
    with serving(c):
        if path == "webhook":
            body = json.dumps({"destination": line_destination(), "events": [event]}).encode()
            answer = post_line(body, signature=line_signature(body, LINE_SECRET))
            assert answer.status_code == 200, answer.status_code
        else:
            assert _run_dialog("line", event, f"hostile-{case.name}") == 200
        _check(c, case, _line_group(event))


@pytest.mark.parametrize(("path", "case"), TELEGRAM_RUNS)
def test_every_telegram_update_gets_its_answer_and_never_a_5xx(path: str, case: Case) -> None:
    c = fake_container()
    c.__dict__["clock"] = FixedClock(NOW)
    update = copy.deepcopy(case.payload)
    with serving(c):
        if path == "webhook":
            assert post_telegram(update).status_code == 200
        else:
            assert _run_dialog("telegram", update, f"hostile-{case.name}") == 200
        _check(c, case, _telegram_group(update))


ABSURD = [("line", "absurd-timestamp"), ("line", "huge-audio-duration"),
          ("line", "huge-event-id"), ("telegram", "message-huge-date")]


@pytest.mark.parametrize("path", ["webhook", "dialog"])
@pytest.mark.parametrize(("channel", "name"), ABSURD)
def test_absurd_fields_on_firestore_are_refused_quietly_not_a_500(
        path: str, channel: str, name: str, firestore_project: str) -> None:
    """Issue 13: a signed LINE timestamp of 10^30 overflowed Firestore's integers in
    the dialog (a 500, retried). On the emulator: 200 and silence on both paths."""
    from shared.adapters.firestore_store import FirestoreStore

    cases = line_cases() if channel == "line" else telegram_cases()
    case = next(c for c in cases if c.name == name)
    c = fake_container()
    c.__dict__["clock"] = FixedClock(NOW)
    c.__dict__["store"] = FirestoreStore(project=firestore_project)
    event = copy.deepcopy(case.payload)
    with serving(c):
        if path == "dialog":
            assert _run_dialog(channel, event, f"absurd-{name}") == 200
        elif channel == "line":
            body = json.dumps({"destination": line_destination(), "events": [event]}).encode()
            assert post_line(body, signature=line_signature(body, LINE_SECRET)).status_code \
                == 200
        else:
            assert post_telegram(event).status_code == 200
        _check(c, case, None)
        assert c.store.query("users", limit=10) == []
