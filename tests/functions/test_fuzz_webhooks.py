"""Hostile input on both webhooks, through functions-framework's own app.

Two layers:

* hypothesis properties (random bytes, random JSON, random headers), and
* a seeded mutation fuzzer: FUZZ_CASES bodies derived from real LINE/Telegram payloads
  (byte flips, splices, truncations, JSON-level type swaps, oversized bodies) with
  mutated headers (missing, wrong, foreign-body and valid signatures).

The oracle, for every case:

* never a 5xx;
* without a valid signature / secret token: 401, and not one document stored nor one
  task enqueued;
* with a valid signature: 200, 400 or 413 (too large), and every dialog task it
  enqueued runs through the dialog worker without a 5xx (garbage that passes the
  signature must not make Cloud Tasks retry forever).
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.bootstrap import Container
from shared.domain.signatures import line_signature
from shared.fakes.memory_store import MemoryStore
from shared.fakes.memory_tasks import MemoryTaskQueue
from tests.support import (
    DEV_TOKEN,
    LINE_SECRET,
    LINE_USER,
    TELEGRAM_SECRET,
    client,
    fake_container,
    line_body,
    line_event,
    serving,
    telegram_update,
)

FUZZ_CASES = 10_000
FUZZ_SEED = 20240601
HYPOTHESIS = settings(max_examples=300, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture
def c() -> Iterator[Container]:
    with serving(fake_container()) as container:
        yield container


# ---------------------------------------------------------------------- helpers
def docs(c: Container) -> int:
    store = c.store
    assert isinstance(store, MemoryStore)
    return len(store._docs)


def queue(c: Container) -> MemoryTaskQueue:
    assert isinstance(c.tasks, MemoryTaskQueue)
    return c.tasks


def post(target: str, body: bytes, headers: dict[str, str]) -> int:
    return int(client(target).post("/", data=body, headers=headers).status_code)


DRAINED: list[int] = []  # statuses of every dialog task the fuzzer ran


def drain_dialog(c: Container) -> list[int]:
    """Run every queued dialog task once through the dialog worker; their statuses."""
    statuses: list[int] = []
    for task in queue(c).take():
        if task.queue != "dialog":
            continue
        statuses.append(post("dialog_worker", json.dumps(task.payload).encode(),
                             {"Authorization": f"Bearer {DEV_TOKEN}",
                              "content-type": "application/json"}))
    DRAINED.extend(statuses)
    return statuses


def check(c: Container, target: str, body: bytes, headers: dict[str, str],
          signed: bool) -> int:
    before_docs, before_tasks = docs(c), len(queue(c).tasks)
    status = post(target, body, headers)
    assert status < 500, (target, status, body[:200], headers)
    if not signed:
        assert status == 401, (target, status, headers)
        assert docs(c) == before_docs and len(queue(c).tasks) == before_tasks
    else:
        assert status in (200, 400, 413), (target, status, body[:200])
        worker = drain_dialog(c)
        assert all(s < 500 for s in worker), (worker, body[:300])
    return status


# ---------------------------------------------------------------------- seeds
def _fixed(event: dict[str, Any], i: int) -> dict[str, Any]:
    """Deterministic ids and tokens, so a failing case can be replayed from its seed."""
    event.update(webhookEventId=f"01FUZZ{i:020d}", timestamp=1_700_000_000_000 + i,
                 replyToken=f"{i:032x}")
    return event


def line_seeds() -> list[bytes]:
    events = [
        line_event(text="hello"), line_event("postback", data="mode:edu"),
        line_event("postback", data="med:add:x"), line_event("audio"),
        line_event("follow"), line_event("unfollow"),
        line_event(text="刪除我的資料"), line_event(text="x" * 3000),
    ]
    group = line_event(text="hi")
    group["source"] = {"type": "group", "groupId": "C" + "0" * 32, "userId": LINE_USER}
    events = [_fixed(e, i) for i, e in enumerate([*events, group])]
    return [line_body(e) for e in events] + [line_body(*events[:3]), line_body()]


def telegram_seeds() -> list[bytes]:
    updates = [telegram_update("hello", update_id=1), telegram_update(data="mode:tr", update_id=2),
               telegram_update("/start", update_id=3),
               telegram_update("удалить мои данные", update_id=4),
               telegram_update("x" * 5000, update_id=5)]
    voice = telegram_update("v", update_id=6)
    del voice["message"]["text"]
    voice["message"]["voice"] = {"file_id": "f1", "file_unique_id": "u", "duration": 3,
                                 "mime_type": "audio/ogg", "file_size": 10_000}
    group = telegram_update("hi", update_id=7)
    group["message"]["chat"] = {"id": -100, "type": "group"}
    for u in [*updates, voice, group]:
        (u.get("message") or u["callback_query"]["message"])["date"] = 1_700_000_000
    return [json.dumps(u).encode() for u in [*updates, voice, group]]


# ---------------------------------------------------------------------- mutations
ODD_VALUES: list[Any] = [None, True, False, 0, -1, 2**63, 1e308, "", "\x00", "../../etc",
                         "U" + "0" * 32, "\ud800"[:0] + "😀" * 10, [], {}, [[]], {"a": {}},
                         "x" * 70_000, -(2**70), "null", "1" * 400]


def random_json(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.random()
    if depth > 3 or pick < 0.5:
        return rng.choice(ODD_VALUES)
    if pick < 0.75:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(["type", "source", "message", "text", "userId", "id", "events",
                        "update_id", "from", "chat", "data", "timestamp", "voice",
                        rng.choice(ODD_VALUES[:12]).__class__.__name__]):
            random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def mutate_json(rng: random.Random, body: bytes) -> bytes:
    try:
        value = json.loads(body)
    except ValueError:
        return body
    nodes: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k in list(node):
                nodes.append((node, k))
                walk(node[k])
        elif isinstance(node, list):
            for i in range(len(node)):
                nodes.append((node, i))
                walk(node[i])

    walk(value)
    for _ in range(rng.randint(1, 4)):
        if not nodes:
            break
        parent, key = rng.choice(nodes)
        if isinstance(parent, dict) and key not in parent:
            continue  # removed by an earlier mutation
        if isinstance(parent, list) and key >= len(parent):
            continue
        action = rng.random()
        if action < 0.6:
            parent[key] = random_json(rng)
        elif action < 0.8 and isinstance(parent, dict):
            parent.pop(key, None)
        else:
            parent[key] = [parent[key]] if rng.random() < 0.5 else {"x": parent[key]}
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5, allow_nan=True).encode()
    if rng.random() < 0.1:  # deep nesting: parsers must not blow the stack into a 5xx
        depth = rng.choice([50, 500, 5000, 100_000])
        text = b"[" * depth + text + b"]" * depth
    return text


def mutate_bytes(rng: random.Random, body: bytes, seeds: list[bytes]) -> bytes:
    data = bytearray(body)
    for _ in range(rng.randint(1, 8)):
        choice = rng.randrange(7)
        at = rng.randrange(len(data) + 1)
        if choice == 0 and data:  # bit flip
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif choice == 1:  # insert random bytes
            data[at:at] = rng.randbytes(rng.randint(1, 16))
        elif choice == 2:  # delete a range
            del data[at:at + rng.randint(1, 32)]
        elif choice == 3:  # truncate
            del data[at:]
        elif choice == 4:  # duplicate a range
            data[at:at] = data[at:at + rng.randint(1, 64)]
        elif choice == 5:  # splice with another seed
            other = rng.choice(seeds)
            cut = rng.randrange(len(other) + 1)
            data[at:] = other[cut:]
        else:  # interesting tokens
            data[at:at] = rng.choice([b"{", b"}", b"[", b'"', b"\\u0000", b"\\ud800", b"null",
                                      b",", b":", b"1e999", b"\xff", b"\xc3\x28", b"NaN"])
    return bytes(data)


def fresh_ids(rng: random.Random, seed: bytes) -> bytes:
    """New event ids, so most cases are new events rather than redeliveries."""
    seed = re.sub(rb"01FUZZ\d{20}", lambda _: b"01FUZZ%020d" % rng.randrange(10**20), seed)
    return re.sub(rb'"update_id": \d+', lambda _: b'"update_id": %d' % rng.randrange(2**31),
                  seed)


def mutated_body(rng: random.Random, seeds: list[bytes]) -> bytes:
    pick = rng.random()
    seed = fresh_ids(rng, rng.choice(seeds))
    if pick < 0.45:
        return mutate_json(rng, seed)
    if pick < 0.85:
        return mutate_bytes(rng, seed, seeds)
    if pick < 0.95:
        return json.dumps(random_json(rng)).encode()
    if pick < 0.99:
        return rng.randbytes(rng.randint(0, 512))
    return seed + b" " * 1_000_001  # over the 1 MB a Cloud Task can carry


CONTENT_TYPES = ["application/json", "text/plain", "", "application/x-www-form-urlencoded",
                 "multipart/form-data; boundary=x", "application/json; charset=latin-1"]


def line_headers(rng: random.Random, body: bytes, seeds: list[bytes]) -> tuple[dict[str, str],
                                                                                bool]:
    valid = line_signature(body, LINE_SECRET)
    pick = rng.randrange(8)
    headers = {"content-type": rng.choice(CONTENT_TYPES)}
    signature: str | None = {
        0: valid, 1: valid, 2: valid, 3: None, 4: "",
        5: line_signature(rng.choice(seeds), LINE_SECRET),  # valid for another body
        6: line_signature(body, LINE_SECRET + "x"),  # another channel's secret
        7: valid[:-2] + ("AA" if valid[-2:] != "AA" else "BB"),
    }[pick]
    if signature is not None:
        headers["x-line-signature"] = signature
    return headers, signature == valid


def telegram_headers(rng: random.Random) -> tuple[dict[str, str], bool]:
    pick = rng.randrange(7)
    secret: str | None = {0: TELEGRAM_SECRET, 1: TELEGRAM_SECRET, 2: TELEGRAM_SECRET,
                          3: None, 4: "", 5: TELEGRAM_SECRET[:-1],
                          6: TELEGRAM_SECRET + rng.choice("ab_-")}[pick]
    headers = {"content-type": rng.choice(CONTENT_TYPES)}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return headers, secret == TELEGRAM_SECRET


# ---------------------------------------------------------------------- the fuzzer
def test_mutation_fuzzer_never_5xx_and_never_enqueues_unsigned(c):
    rng = random.Random(FUZZ_SEED)
    DRAINED.clear()
    l_seeds, t_seeds = line_seeds(), telegram_seeds()
    outcomes: dict[tuple[str, bool, int], int] = {}
    started = time.perf_counter()
    for i in range(FUZZ_CASES):
        if i % 2 == 0:
            body = mutated_body(rng, l_seeds)
            headers, signed = line_headers(rng, body, l_seeds)
            status = check(c, "line_webhook", body, headers, signed)
            key = ("line", signed, status)
        else:
            body = mutated_body(rng, t_seeds)
            headers, signed = telegram_headers(rng)
            status = check(c, "telegram_webhook", body, headers, signed)
            key = ("telegram", signed, status)
        outcomes[key] = outcomes.get(key, 0) + 1
    elapsed = time.perf_counter() - started
    # The fuzzer must exercise every path, or it proves little.
    for channel in ("line", "telegram"):
        assert outcomes.get((channel, False, 401), 0) > FUZZ_CASES // 10
        assert outcomes.get((channel, True, 200), 0) > FUZZ_CASES // 20
        assert outcomes.get((channel, True, 400), 0) > FUZZ_CASES // 20
    # Garbage reached the dialog worker too. Fewer than before issue 13: intake now drops
    # what admission refuses (domain/admission.py); tests/functions/test_hostile.py
    # sends every hostile payload to the dialog directly as well.
    assert len(DRAINED) > FUZZ_CASES // 50
    print(f"fuzzed {FUZZ_CASES} requests in {elapsed:.1f} s, {len(DRAINED)} dialog tasks: "
          f"{sorted(outcomes.items())}")


# ---------------------------------------------------------------------- hypothesis
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["events", "type", "source", "userId", "message", "text",
                         "webhookEventId", "update_id", "from", "chat", "id",
                         "callback_query", "data", "timestamp", "voice", "postback"])
        | st.text(max_size=8), inner, max_size=5),
    max_leaves=25)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@HYPOTHESIS
@given(body=st.binary(max_size=4096), signature=st.none() | header_text)
def test_line_random_bytes_and_signatures_are_refused_without_a_trace(body, signature):
    with serving(fake_container()) as c:
        headers = {} if signature is None else {"x-line-signature": signature}
        signed = signature == line_signature(body, LINE_SECRET)
        check(c, "line_webhook", body, headers, signed)


@HYPOTHESIS
@given(payload=json_values, wrap=st.booleans())
def test_line_signed_random_json_is_200_or_400_and_its_tasks_run(payload, wrap):
    with serving(fake_container()) as c:
        if wrap:  # a plausible envelope around random events
            payload = {"destination": "Ubot", "events": payload if isinstance(payload, list)
                       else [payload]}
        body = json.dumps(payload).encode()
        check(c, "line_webhook", body, {"x-line-signature": line_signature(body, LINE_SECRET)},
              True)


@HYPOTHESIS
@given(payload=json_values, update_id=st.integers(min_value=-(2**63), max_value=2**63))
def test_telegram_signed_random_json_is_200_or_400_and_its_tasks_run(payload, update_id):
    with serving(fake_container()) as c:
        if isinstance(payload, dict):
            payload["update_id"] = update_id
        body = json.dumps(payload).encode()
        check(c, "telegram_webhook", body, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
              True)


@HYPOTHESIS
@given(body=st.binary(max_size=2048), secret=st.none() | header_text)
def test_telegram_wrong_secret_is_refused_without_a_trace(body, secret):
    with serving(fake_container()) as c:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        check(c, "telegram_webhook", body, headers, secret == TELEGRAM_SECRET)


def test_the_fuzzer_is_reproducible():
    # Same seed, same cases: a failure found in CI can be replayed locally.
    def cases() -> list[bytes]:
        rng = random.Random(FUZZ_SEED)
        return [mutated_body(rng, line_seeds()) for _ in range(200)]

    assert cases() == cases()
