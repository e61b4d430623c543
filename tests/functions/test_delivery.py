"""Sending is resumable, part by part (plumbing/delivery.py). Issue 20.

GIVEN an answer of several parts (a leaflet, its references and its buttons), WHEN a
platform error or a rate limit stops the send after some parts, THEN the retried task
sends only the parts still missing, never one twice; a short 429 is waited out in the
worker, a long one fails the task and the retry resumes; no part is ever empty.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain.channels import Channel
from shared.domain.decision import Decision
from shared.domain.errors import MessengerError
from shared.domain.messages import Button, Card, Cards, Text
from shared.fakes.memory_tasks import MemoryTaskQueue
from shared.fakes.recording_messenger import RecordingMessenger
from shared.fakes.scripted_llm import ScriptedModel
from shared.jobs import WORKERS, job_of
from shared.plumbing.delivery import Delivery
from shared.ports import Source
from tests.support import (
    DEV_TOKEN,
    LINE_USER,
    TELEGRAM_USER,
    client,
    fake_container,
    line_body,
    line_event,
    post_line,
    post_telegram,
    serving,
    telegram_update,
    zh_leaflet_of_exactly,
)

CHAT = str(TELEGRAM_USER)
SOURCES = (Source("WHO: hypertension", "https://www.who.int/hypertension"),
           Source("Mayo Clinic", "https://www.mayoclinic.org/hbp"))
PARAGRAPH = "Measure your blood pressure every morning and write it down. " * 8


def leaflet_of_exactly(length: int) -> str:
    """Paragraphs of plain text, exactly `length` characters long."""
    text = ""
    while len(text) < length:
        text += PARAGRAPH.strip() + "\n\n"
    return text[:length].rstrip() + "x" * (length - len(text[:length].rstrip()))


@pytest.fixture
def slept() -> list[float]:
    return []


@pytest.fixture
def c(slept):
    container = fake_container()
    container.__dict__["llm"] = ScriptedModel()
    container.__dict__["delivery"] = Delivery(container.store, container.clock,
                                              container.messengers, sleep=slept.append)
    with serving(container):
        yield container


def run_tasks(c, *, expect_failures: int = 0) -> int:
    """Run queued tasks through their workers; a failed one is retried, as Cloud Tasks
    would. Returns how many attempts failed."""
    queue = c.tasks
    assert isinstance(queue, MemoryTaskQueue)
    failures = 0
    for _ in range(20):
        tasks = queue.take(c.clock.now())
        if not tasks:
            break
        for task in tasks:
            while True:
                response = client(WORKERS[job_of(task.queue)]).post(
                    "/", json=task.payload, headers={"Authorization": f"Bearer {DEV_TOKEN}"})
                if response.status_code == 200:
                    break
                failures += 1
                assert failures <= expect_failures, response.status_code
    assert failures == expect_failures
    return failures


def ask_leaflet(c, channel: Channel, text: str, **fail: Any) -> RecordingMessenger:
    c.llm.add_text(text, sources=SOURCES)
    messenger: RecordingMessenger = c.messengers[channel]
    if channel is Channel.LINE:
        post_line(line_body(line_event("postback", data="mode:edu")))
        run_tasks(c)
        if fail:
            messenger.fail_next(**fail)
        post_line(line_body(line_event(text="hypertension")))
    else:
        post_telegram(telegram_update(data="mode:edu"))
        run_tasks(c)
        if fail:
            messenger.fail_next(**fail)
        post_telegram(telegram_update(text="hypertension"))
    return messenger


# ------------------------------------------------------------------ the 4096 + "\n\n" leaflet
def test_a_leaflet_at_telegrams_limit_plus_a_paragraph_break_arrives_once_and_whole(c):
    # Issue 20: [4096 characters, "\n\n"]; Telegram refused the second (400) and every
    # retry sent the first part again, never the references or the buttons.
    leaflet = zh_leaflet_of_exactly(4096)
    messenger = ask_leaflet(c, Channel.TELEGRAM, leaflet + "\n\n")
    run_tasks(c)

    texts = messenger.delivered_texts(CHAT)
    assert texts.count(leaflet) == 1  # once, whole, and no whitespace-only message
    assert all(t.strip() for t in texts)
    last = messenger.messages_to(CHAT)[-1]
    assert isinstance(last, Cards)  # then its references ...
    assert [c.url for c in last.cards] == [s.url for s in SOURCES]
    assert any(b.data.startswith("lfmail:") for b in last.buttons)  # ... and its buttons
    assert messenger.button_labels(CHAT)[-1]  # shown under the references


# ------------------------------------------------------------------ resuming
def test_a_send_stopped_after_the_first_part_resumes_with_the_second(c):
    leaflet = leaflet_of_exactly(4096) + "\n\nWhen to call your doctor: chest pain."
    messenger = ask_leaflet(c, Channel.TELEGRAM, leaflet, status=500,
                            retryable=True, after_parts=1)
    run_tasks(c, expect_failures=1)

    texts = messenger.delivered_texts(CHAT)
    leaflet_parts = [t for t in texts if "blood pressure" in t or "chest pain" in t]
    assert len(leaflet_parts) == 2 and len(set(leaflet_parts)) == 2  # no part twice
    assert "".join(leaflet_parts).replace("\n", "") == leaflet.replace("\n", "")
    assert isinstance(messenger.messages_to(CHAT)[-1], Cards)


def test_a_permanent_refusal_completes_the_task_without_a_retry(c, caplog):
    """Issue 13: a 400 is permanent (the same call would be refused again). Before, it
    failed the task and Cloud Tasks retried it; now the task completes (200) with its
    outcome logged, and what was delivered stays delivered, once."""
    leaflet = leaflet_of_exactly(4096) + "\n\nWhen to call your doctor: chest pain."
    messenger = ask_leaflet(c, Channel.TELEGRAM, leaflet, status=400, retryable=False,
                            after_parts=1)
    run_tasks(c, expect_failures=0)

    texts = messenger.delivered_texts(CHAT)
    leaflet_parts = [t for t in texts if "blood pressure" in t or "chest pain" in t]
    assert len(leaflet_parts) == 1  # the first part, and no retry sent anything more
    refused = [r for r in caplog.records if r.getMessage() == "send refused"]
    assert [(r.__dict__["status"], r.__dict__["outcome"]) for r in refused] == [
        (400, "refused")]
    assert c.store.get(f"users/telegram-{CHAT}") is not None
    assert "unreachable_since" not in c.store.get(f"users/telegram-{CHAT}")


def test_a_short_rate_limit_is_waited_out_in_the_worker(c, slept):
    messenger = ask_leaflet(c, Channel.TELEGRAM, leaflet_of_exactly(3000), status=429,
                            retry_after_s=3, after_parts=1)
    run_tasks(c)  # no failure: the worker waited 3 s and went on

    assert slept == [3]
    texts = messenger.delivered_texts(CHAT)
    assert len(texts) == len(set(texts))
    assert isinstance(messenger.messages_to(CHAT)[-1], Cards)


def test_a_long_rate_limit_fails_the_task_and_the_retry_resumes(c, slept):
    before = c.messengers[Channel.TELEGRAM].parts_sent
    messenger = ask_leaflet(c, Channel.TELEGRAM, leaflet_of_exactly(3000), status=429,
                            retry_after_s=60, after_parts=1)
    run_tasks(c, expect_failures=1)

    assert slept == []  # too long to wait in the worker: Cloud Tasks retries later
    # "Pick a topic", the leaflet, its references: each part once, despite the retry.
    assert messenger.parts_sent - before == 3
    texts = messenger.delivered_texts(CHAT)
    assert len(texts) == len(set(texts))


def test_line_resumes_by_push_after_a_reply_and_sends_no_part_twice(c):
    # Seven text bubbles: a reply of five, then a push of two. (A leaflet no longer
    # makes that many: it is capped at two bubbles, leaflet_format.LEAFLET_MAX_PAGES.)
    messenger = c.messengers[Channel.LINE]
    texts = [f"第 {i} 段：高血壓需要長期控制。" for i in range(7)]
    answer = Decision(channel=Channel.LINE, chat_id=LINE_USER, user_key="u", send_key="job:7",
                      reply_token="reply-7", event_ms=int(c.clock.now().timestamp() * 1000),
                      messages=[Text(text=x) for x in texts])
    messenger.fail_next(status=500, after_parts=1)
    with pytest.raises(MessengerError):
        c.delivery.deliver(answer)
    before = messenger.parts_sent
    c.delivery.deliver(answer)  # Cloud Tasks' retry

    assert messenger.parts_sent - before == 1  # only the push of the last two
    assert messenger.delivered_texts(LINE_USER) == texts
    assert [(len(s.messages), s.used_reply_token) for s in messenger.sends] == [(5, True),
                                                                                (2, False)]


# ------------------------------------------------------------------ Delivery directly
def decision(channel: Channel, key: str = "job:1") -> Decision:
    return Decision(channel=channel, chat_id=CHAT if channel is Channel.TELEGRAM else LINE_USER,
                    user_key="u", send_key=key, messages=[
                        Text(text="first"), Text(text="second"),
                        Cards(alt_text="Sources", cards=[Card(title="WHO", url="https://who.int/")],
                              buttons=[Button(label="Menu", data="menu")])])


def test_each_part_is_recorded_as_it_is_delivered(c):
    messenger = c.messengers[Channel.TELEGRAM]
    messenger.fail_next(status=502, after_parts=2)
    with pytest.raises(MessengerError):
        c.delivery.deliver(decision(Channel.TELEGRAM))
    [(_, record)] = c.store.query("deliveries")
    assert record["parts_sent"] == 2 and record["complete"] is False
    assert len(record["message_ids"]) == 2

    ids = c.delivery.deliver(decision(Channel.TELEGRAM))
    assert messenger.delivered_texts(CHAT) == ["first", "second"]
    assert len(ids) == 3 and len(set(ids)) == 3
    again = c.delivery.deliver(decision(Channel.TELEGRAM))  # a replay: nothing sent
    assert again == ids and messenger.parts_sent == 3


def test_a_rate_limit_without_a_hint_backs_off_then_gives_up(c, slept):
    messenger = c.messengers[Channel.LINE]
    messenger.fail_next(4, status=429)
    with pytest.raises(MessengerError) as caught:
        c.delivery.deliver(decision(Channel.LINE))
    assert caught.value.status == 429 and slept == [1.0, 2.0, 4.0]
    c.delivery.deliver(decision(Channel.LINE))
    assert messenger.delivered_texts(LINE_USER) == ["first", "second"]


def test_a_record_written_before_part_records_counts_as_a_whole_send(c):
    messenger = c.messengers[Channel.TELEGRAM]
    from shared.domain.signatures import stable_id

    c.store.set(f"deliveries/{stable_id('job:old')}", {"message_ids": ["7"], "user_id": "u"})
    assert c.delivery.deliver(decision(Channel.TELEGRAM, "job:old")) == ["7"]
    assert messenger.parts_sent == 0
