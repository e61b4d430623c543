"""The webhook entry points through functions-framework, with real signatures."""

from __future__ import annotations

import json

import pytest

from shared.fakes.memory_tasks import MemoryTaskQueue
from tests.support import (
    fake_container,
    line_body,
    line_event,
    post_line,
    post_telegram,
    serving,
    telegram_update,
)


@pytest.fixture
def c():
    with serving(fake_container()) as container:
        yield container


def queued(c) -> int:
    assert isinstance(c.tasks, MemoryTaskQueue)
    return len(c.tasks.tasks)


def stored(c) -> int:
    return len(c.store.query("idempotency"))


def test_line_console_verify_request_gets_200_and_enqueues_nothing(c):
    response = post_line(line_body())
    assert response.status_code == 200
    assert queued(c) == 0


def test_line_valid_event_is_enqueued_once(c):
    response = post_line(line_body(line_event(text="hi")))
    assert response.status_code == 200
    assert queued(c) == 1
    task = c.tasks.tasks[0]
    assert task.queue == "dialog"
    assert task.payload["channel"] == "line"


def test_line_multi_event_body_is_split_into_one_task_per_event(c):
    events = [line_event(text=f"m{i}", user="U" + f"{i:032x}") for i in range(3)]
    assert post_line(line_body(*events)).status_code == 200
    assert queued(c) == 3
    assert {t.payload["event"]["source"]["userId"] for t in c.tasks.tasks} == {
        e["source"]["userId"] for e in events}


@pytest.mark.parametrize("signature", ["", "bm9wZQ==", "not base64 at all"])
def test_line_bad_signature_is_401_and_touches_nothing(c, signature):
    response = post_line(line_body(line_event()), signature=signature)
    assert response.status_code == 401
    assert queued(c) == 0 and stored(c) == 0


def test_line_signature_with_another_secret_is_rejected(c):
    assert post_line(line_body(line_event()), secret="other").status_code == 401
    assert queued(c) == 0 and stored(c) == 0


def test_line_missing_signature_header_is_401(c):
    from tests.support import client

    response = client("line_webhook").post("/", data=line_body(line_event()))
    assert response.status_code == 401
    assert queued(c) == 0


@pytest.mark.parametrize("body", [b"{", b"[]", b"\xff\xfe", b'{"events": 5}', b""])
def test_line_malformed_json_with_valid_signature_is_400(c, body):
    assert post_line(body).status_code == 400
    assert queued(c) == 0 and stored(c) == 0


def test_line_same_event_delivered_five_times_is_enqueued_once(c):
    body = line_body(line_event(text="hi"))
    for _ in range(5):
        assert post_line(body).status_code == 200
    assert queued(c) == 1


def test_telegram_valid_update_is_enqueued(c):
    assert post_telegram(telegram_update("hi")).status_code == 200
    assert queued(c) == 1
    assert c.tasks.tasks[0].payload["channel"] == "telegram"


@pytest.mark.parametrize("secret", [None, "", "wrong"])
def test_telegram_bad_secret_is_401_and_touches_nothing(c, secret):
    assert post_telegram(telegram_update("hi"), secret=secret).status_code == 401
    assert queued(c) == 0 and stored(c) == 0


@pytest.mark.parametrize("body", [b"{", b"null", b'{"message": {}}', b'{"update_id": "7"}'])
def test_telegram_malformed_is_400(c, body):
    assert post_telegram(body).status_code == 400
    assert queued(c) == 0


def test_telegram_redelivered_update_is_enqueued_once(c):
    update = telegram_update("hi")
    for _ in range(5):
        assert post_telegram(update).status_code == 200
    assert queued(c) == 1


def test_enqueue_failure_forgets_the_key_so_a_redelivery_works(c):
    class Failing(MemoryTaskQueue):
        fail = True

        def enqueue(self, *args, **kwargs):
            if self.fail:
                raise RuntimeError("queue down")
            return super().enqueue(*args, **kwargs)

    queue = Failing()
    c.__dict__["tasks"] = queue
    c.__dict__.pop("intake", None)
    body = line_body(line_event())
    assert post_line(body).status_code == 500
    assert stored(c) == 0
    queue.fail = False
    assert post_line(body).status_code == 200
    assert len(queue.tasks) == 1


def test_webhook_log_lines_carry_no_message_text(c, capsys):
    secret_text = "my-private-symptom-text"
    post_line(line_body(line_event(text=secret_text)))
    post_telegram(telegram_update(secret_text))
    captured = capsys.readouterr()
    assert secret_text not in captured.out + captured.err
    assert json.dumps(secret_text) not in captured.out


def test_an_oversized_signed_body_is_413_and_touches_nothing(c):
    body = b'{"events": [], "pad": "' + b"x" * 1_000_001 + b'"}'
    assert post_line(body).status_code == 413
    assert post_telegram(body).status_code == 413
    assert queued(c) == 0 and stored(c) == 0
