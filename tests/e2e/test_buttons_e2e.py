"""In the simulator (real SDKs, the local LINE/Telegram stand-ins, the emulators), no
message on either channel offers two buttons with the same label, whatever the
patient's medicines are called, and a list longer than one message is paged. Issue 20.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain.labels import fold

pytestmark = pytest.mark.emulator

ER = "Metformin hydrochloride extended-release"
IR = "Metformin hydrochloride immediate-release"
NATO = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima", "mike", "november", "oscar"]


def button_messages(stack, channel: str, user: str) -> list[list[dict[str, Any]]]:
    return [e.buttons for e in stack.state.bot_entries(channel, user) if e.buttons]


def answered(stack, channel: str, user: str, count: int) -> None:
    stack.wait_for(lambda: len(stack.state.bot_entries(channel, user)) >= count)


@pytest.mark.parametrize(("channel", "user"), [("line", "en"), ("telegram", "ru")])
def test_no_message_offers_two_buttons_alike(stack, channel, user):
    state = stack.state
    seen = 0

    def step(action) -> None:
        nonlocal seen
        action()
        seen += 1
        answered(stack, channel, user, seen)
        seen = len(state.bot_entries(channel, user))

    step(lambda: state.send_text(channel, user, "hello"))
    step(lambda: state.tap(channel, user, "mode:med"))
    step(lambda: state.send_text(channel, user, "UTC"))
    step(lambda: state.send_text(channel, user, f"add {ER} 500 mg at 08:00 and "
                                                f"{IR} 850 mg at 08:00"))
    step(lambda: state.send_text(channel, user, "add " + " and ".join(
        f"Cardioprotective-acetylsalicylic {w} 100 mg at 09:00" for w in NATO)))
    step(lambda: state.send_text(channel, user, "delete the medicine"))

    question = state.bot_entries(channel, user)[-1]
    labels = [b["label"] for b in question.buttons]
    assert len(labels) == 13  # 12 medicines and the next page
    pager = question.buttons[-1]
    assert pager["data"] == "med:delp:1"
    step(lambda: state.tap(channel, user, pager["data"], message_id=question.message_id))
    rest = state.bot_entries(channel, user)[-1]
    deletable = [b for b in question.buttons + rest.buttons if b["data"].startswith("med:del:")]
    assert len(deletable) == 2 + len(NATO)  # every medicine can be reached

    for buttons in button_messages(stack, channel, user):
        labels = [b["label"] for b in buttons]
        assert len({fold(label) for label in labels}) == len(labels), labels
        if channel == "line":
            assert all(len(label) <= 20 for label in labels)
    metformin = [b["label"] for b in deletable if "etformin" in b["label"]]
    assert len(metformin) == 2, [b["label"] for b in deletable]
    assert "500" in metformin[0] and "850" in metformin[1]


def test_a_leaflet_at_telegrams_limit_arrives_once_and_whole_despite_a_rate_limit(stack):
    """Real python-telegram-bot against the Telegram stand-in: a zh-TW leaflet of exactly
    4096 characters plus a paragraph break, and a 429 (retry_after 1 s) after its first
    part. The worker waits, resumes, and the chat shows the leaflet once, whole, then its
    references with the buttons."""
    from shared.fakes.scripted_llm import ScriptedModel
    from shared.ports import Source
    from tests.support import zh_leaflet_of_exactly

    model = ScriptedModel()
    stack.container.__dict__["llm"] = model
    leaflet = zh_leaflet_of_exactly(4096)
    model.add_text(leaflet + "\n\n", sources=(Source("WHO", "https://www.who.int/hbp"),))
    state = stack.state
    state.send_text("telegram", "en", "hello")
    answered(stack, "telegram", "en", 1)
    state.tap("telegram", "en", "mode:edu")
    answered(stack, "telegram", "en", 2)
    state.fail_next(1, status=429, channel="telegram", after=1, retry_after=1)
    state.send_text("telegram", "en", "hypertension")
    stack.wait_for(lambda: any(e.segments and any(s["url"] for s in e.segments)
                               for e in state.bot_entries("telegram", "en")), timeout=60)

    texts = state.bot_texts("telegram", "en")
    assert texts.count(leaflet) == 1
    assert all(text.strip() for text in texts)
    last = state.bot_entries("telegram", "en")[-1]
    assert any(s["url"] == "https://www.who.int/hbp" for s in last.segments)
    assert any(b["data"].startswith("lfmail:") for b in last.buttons)
    statuses = [c.status for c in state.calls_to("telegram", "sendMessage")]
    assert 429 in statuses and statuses.count(200) == len(texts)  # nothing sent twice
