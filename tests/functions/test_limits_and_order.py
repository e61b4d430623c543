"""Per-user limits and per-user ordering, through the real entry points on fakes.

Ordering: a user's events are applied in the platform's order however Cloud Tasks
runs their dialog tasks (reversed, shuffled, concurrently, each delivered 1-5 times).
Limits: messages per minute and model jobs per day, with a clear answer when reached.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.bootstrap import Container
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.fakes.memory_tasks import MemoryTaskQueue, QueuedTask
from shared.jobs import Job
from shared.plumbing.limits import limits_path
from shared.plumbing.ordering import WAIT
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
    pump,
    serving,
    telegram_update,
)
from tests.support import test_settings as make_settings

AUTH = {"Authorization": f"Bearer {DEV_TOKEN}"}


@pytest.fixture
def c() -> Iterator[Container]:
    with serving(fake_container()) as container:
        yield container


def queue(c: Container) -> MemoryTaskQueue:
    assert isinstance(c.tasks, MemoryTaskQueue)
    return c.tasks


def run(task: QueuedTask) -> int:
    worker = {Job.DIALOG.value: "dialog_worker"}.get(task.queue, f"{task.queue}_worker")
    return int(client(worker).post("/", json=task.payload, headers=AUTH).status_code)


def line_texts(c: Container, user: str = LINE_USER) -> list[str]:
    return [m.text for m in c.messengers[Channel.LINE].messages_to(user)  # type: ignore[attr-defined]
            if getattr(m, "text", None)]


def order_sensitive_events(start_ms: int) -> list[dict[str, Any]]:
    """Ask for the language, choose Russian, ask for help: help comes in Russian only
    if the three are applied in this order."""
    return [line_event("postback", data="language", timestamp_ms=start_ms),
            line_event("postback", data="lang:ru", timestamp_ms=start_ms + 1000),
            line_event(text="help", timestamp_ms=start_ms + 2000)]


def expected_in_order() -> list[str]:
    return [t("zh-TW", "language.ask"),
            t("ru", "language.set") + "\n\n" + t("ru", "menu.title"),
            t("ru", "help.text", emergency="112")]


# ---------------------------------------------------------------------- ordering
def test_reversed_tasks_wait_for_the_earlier_events_and_apply_in_order(c):
    for event in order_sensitive_events(int(time.time() * 1000)):
        assert post_line(line_body(event)).status_code == 200
    first, second, third = queue(c).take()
    assert run(third) == 429  # an earlier event of the same user is pending
    assert run(second) == 429
    assert run(first) == 200
    assert run(third) == 429  # the second still pending
    assert run(second) == 200
    assert run(third) == 200
    assert line_texts(c) == expected_in_order()
    assert not [d for _, d in c.store.query("idempotency") if d.get("pending")]  # none left


def _deliver_shuffled(c: Container, rng: random.Random, copies: list[int]) -> None:
    events = order_sensitive_events(int(time.time() * 1000))
    posts = [e for e, n in zip(events, copies, strict=True) for _ in range(n)]
    rng.shuffle(posts)  # redeliveries, out of order
    for event in posts:
        assert post_line(line_body(event)).status_code == 200


def _run_until_done(tasks: list[QueuedTask], rng: random.Random) -> int:
    """Cloud Tasks: any order, a 429 comes back later. Returns the number of 429s."""
    busy = 0
    while tasks:
        task = tasks.pop(rng.randrange(len(tasks)))
        status = run(task)
        assert status in (200, 429)
        if status == 429:
            busy += 1
            tasks.append(task)
            assert busy < 1000, "an event waits forever"
    return busy


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32), copies=st.lists(st.integers(1, 5), min_size=3, max_size=3))
def test_any_delivery_and_execution_order_gives_the_in_order_result(seed, copies):
    rng = random.Random(seed)
    with serving(fake_container()) as c:
        _deliver_shuffled(c, rng, copies)
        tasks = queue(c).take()
        assert len(tasks) == 3  # 1-5 deliveries each, one task each
        # Cloud Tasks may also run a task twice: duplicate some.
        tasks += [rng.choice(tasks) for _ in range(rng.randint(0, 3))]
        _run_until_done(tasks, rng)
        assert line_texts(c) == expected_in_order()


def test_concurrent_workers_apply_one_users_events_in_order(c):
    _deliver_shuffled(c, random.Random(7), [2, 3, 1])
    tasks = queue(c).take()
    tasks = tasks * 3  # every task delivered three times, all at once
    errors: list[BaseException] = []

    def worker(task: QueuedTask) -> None:
        try:
            for _ in range(2000):
                if run(task) == 200:
                    return
                time.sleep(0.001)
            raise AssertionError("never ran")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert line_texts(c) == expected_in_order()


def test_a_lost_earlier_event_blocks_later_ones_only_for_a_bounded_wait(c):
    events = order_sensitive_events(int(time.time() * 1000))
    for event in events[1:]:
        post_line(line_body(event))
    [second, third] = queue(c).take()
    post_line(line_body(events[0]))
    queue(c).take()  # the first event's task is lost (dropped after its retries)
    assert run(second) == 429
    c.clock.advance(WAIT.total_seconds() + 1)  # type: ignore[attr-defined]
    assert run(second) == 200
    assert run(third) == 200
    assert line_texts(c)[-1] == t("ru", "help.text", emergency="112")


def test_one_users_pending_event_does_not_hold_up_another_user(c):
    other = "U" + "f" * 32
    # Real event times: intake drops times before LINE's platform existed (admission).
    post_line(line_body(line_event(text="hi", timestamp_ms=1_700_000_001_000)))
    post_line(line_body(line_event(text="hi", user=other, timestamp_ms=1_700_000_002_000)))
    mine, theirs = queue(c).take()
    assert run(theirs) == 200
    assert run(mine) == 200


def test_telegram_updates_are_ordered_by_update_id(c):
    updates = [telegram_update(data="language", update_id=500),
               telegram_update(data="lang:ru", update_id=501),
               telegram_update("help", update_id=502)]
    for update in reversed(updates):
        assert post_telegram(update).status_code == 200
    _run_until_done(queue(c).take(), random.Random(1))
    got = [m.text for m in c.messengers[Channel.TELEGRAM].messages_to(str(TELEGRAM_USER))]  # type: ignore[attr-defined]
    assert got[-1] == t("ru", "help.text", emergency="112")


# ---------------------------------------------------------------------- limits
@pytest.fixture
def tight() -> Iterator[Container]:
    settings_ = make_settings(limit_messages_per_minute=3, limit_generations_per_day=2,
                              limit_emails_per_day=1)
    with serving(fake_container(settings_)) as container:
        yield container


def say(c: Container, **kwargs: Any) -> None:
    event = line_event(**kwargs)
    assert post_line(line_body(event)).status_code == 200
    pump(c)


def test_messages_over_the_minute_limit_get_one_clear_answer_then_silence(tight):
    for _ in range(3):
        say(tight, text="menu")
    assert len(line_texts(tight)) == 3
    say(tight, text="menu")
    assert line_texts(tight)[-1] == t("zh-TW", "limit.messages")
    for _ in range(5):
        say(tight, text="menu")
    assert len(line_texts(tight)) == 4  # a flood is not answered by a flood
    tight.clock.advance(61)
    say(tight, text="menu")
    assert line_texts(tight)[-1] == t("zh-TW", "menu.title")


def test_the_minute_window_slides(tight):
    say(tight, text="menu")
    tight.clock.advance(40)
    say(tight, text="menu")
    say(tight, text="menu")
    tight.clock.advance(21)  # the first message left the window: one slot free
    say(tight, text="menu")
    assert line_texts(tight)[-1] == t("zh-TW", "menu.title")
    say(tight, text="menu")
    assert line_texts(tight)[-1] == t("zh-TW", "limit.messages")


def test_a_redelivered_message_counts_once(tight):
    event = line_event(text="menu")
    post_line(line_body(event))
    [task] = queue(tight).take()
    for _ in range(5):  # Cloud Tasks runs the same task five times
        assert run(task) == 200
    doc = tight.store.get(limits_path(f"line-{LINE_USER}"))
    assert doc is not None and len(doc["recent"]) == 1
    assert len(line_texts(tight)) == 1


def test_generations_per_day_are_capped_with_a_clear_answer_and_reset_next_day(tight):
    say(tight, data="mode:edu", kind="postback")
    generated = 0
    for topic in ("flu", "asthma", "sleep"):
        tight.clock.advance(61)  # stay under the per-minute limit
        before = len(line_texts(tight))
        event = line_event("postback", data=f"topic:{topic}")
        post_line(line_body(event))
        tasks = queue(tight).take()
        jobs = []
        for task in tasks:
            run(task)
            jobs += queue(tight).take()
        generated += sum(1 for j in jobs if j.queue == Job.GENERATE.value)
        for job in jobs:
            run(job)
        assert len(line_texts(tight)) > before
    assert generated == 2
    assert t("zh-TW", "limit.generations", count=2) in line_texts(tight)
    tight.clock.advance(86_400)
    post_line(line_body(line_event("postback", data="topic:flu")))
    [task] = queue(tight).take()
    run(task)
    assert [j.queue for j in queue(tight).take()] == [Job.GENERATE.value]


def test_limits_are_erased_with_the_user(tight):
    say(tight, text="menu")
    key = f"line-{LINE_USER}"
    assert tight.store.get(limits_path(key)) is not None
    say(tight, text="delete my data")
    say(tight, data="del:yes", kind="postback")
    assert tight.store.get(limits_path(key)) is None
    assert not [d for _, d in tight.store.query("idempotency")
                if d.get("user_id") == key and d.get("pending")]


def test_limit_documents_hold_no_text(tight):
    say(tight, text="my private symptom text")
    doc = tight.store.get(limits_path(f"line-{LINE_USER}"))
    assert "symptom" not in json.dumps(doc, default=str)
