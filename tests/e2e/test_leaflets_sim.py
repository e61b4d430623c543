"""Leaflets as a newcomer meets them: `make dev --memory` (the LocalStack it runs, on free
ports, no Gemini key: the offline demo engine; Taigi from the local iVoice stand-in),
driven only through the simulator's HTTP API (/sim/api/*), as the acceptance checks do.

Each test is another user, channel and topic: the offline leaflet shows no prompt
internals and carries its label once; Telegram shows bold headings (HTML parse mode)
and LINE section lines, and no Markdown shows raw on either; the translation list
leaves out the leaflet's own language; a leaflet translated into Taigi gets its TLPA
and iVoice speech, and the "coming" note goes when the speech arrives where the
platform allows it (Telegram deletes it; LINE, which cannot, says what stays true);
audio carries what it is (Telegram: the caption). With `--local-gemini` (the real
google-genai path; the local server answers in light Markdown, as models do), no
Markdown mark shows and the references are about the topic asked."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from infra.local.dev import LocalStack
from shared.domain.i18n import t

INTERNALS = ("NOT_HEALTH", "<data>", "</data>", '{"topic"', '"leaflet":', "Write a leaflet",
             "Revise the leaflet", "Translate this leaflet", "offline #", "**", "##",
             "<b>", "&lt;", "&amp;")
DEMO_HEADINGS = {lang: [t(lang, "education.demo.leaflet", topic="x").split("\n")[0][2:]]
                 for lang in ("en", "zh-TW", "ru")}


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    saved = os.environ.pop("GEMINI_API_KEY", None)  # a newcomer has no key
    stack = LocalStack(port=0, functions_port=0, use_firestore=False,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    stack.start()
    try:
        with httpx.Client(base_url=stack.simulator.url, timeout=120) as client:
            yield Sim(client)
    finally:
        stack.stop()
        if saved is not None:
            os.environ["GEMINI_API_KEY"] = saved



def _kind(data: str) -> str:
    """Button data without its object ids (issue 12): "lfto:<id>:ja" -> "lfto:ja"."""
    return re.sub(r":[0-9a-f]{40}(?=:|$)", "", data)

class Sim:
    """The simulator's JSON API, as a person at the page uses it."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def entries(self, channel: str, user: str) -> list[dict[str, Any]]:
        answer = self.client.get("/sim/api/chat", params={"channel": channel, "user": user})
        answer.raise_for_status()
        return list(answer.json()["entries"])

    def bot(self, channel: str, user: str) -> list[dict[str, Any]]:
        return [e for e in self.entries(channel, user) if e["sender"] == "bot"]

    def wait(self, check: Callable[[], Any], timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError("the bot did not answer in time")

    def send(self, channel: str, user: str, text: str) -> None:
        answer = self.client.post("/sim/api/send",
                                  json={"channel": channel, "user": user, "text": text})
        assert answer.status_code == 200 and answer.json()["status"] == 200

    def tap(self, channel: str, user: str, data: str) -> None:
        """Tap the newest button with `data` (its object ids left out: "lfto:ja" taps
        "lfto:<leaflet id>:ja") once the bot has shown it."""
        def found() -> tuple[int, int] | None:
            for entry in reversed(self.bot(channel, user)):
                if entry["deleted"]:
                    continue
                for index, button in enumerate(entry["buttons"]):
                    if _kind(button.get("data", "")) == data:
                        return entry["id"], index
            return None

        entry_id, index = self.wait(found)
        answer = self.client.post("/sim/api/tap", json={"channel": channel, "user": user,
                                                        "entry_id": entry_id, "button": index})
        assert answer.status_code == 200 and answer.json()["status"] == 200

    def after(self, channel: str, user: str, count: int) -> list[dict[str, Any]]:
        return self.bot(channel, user)[count:]

    def leaflet(self, channel: str, user: str, topic: str) -> list[dict[str, Any]]:
        """Ask for a leaflet about a typed topic; the bubbles of the answer."""
        self.send(channel, user, "hello")
        self.answer(channel, user, lambda: self.tap(channel, user, "mode:edu"),
                    done=lambda new: any(b.get("data", "").startswith("topic:")
                                         for e in new for b in e["buttons"]))
        return self.answer(channel, user, lambda: self.send(channel, user, topic))

    def answer(self, channel: str, user: str, act: Callable[[], None],
               done: Callable[[list[dict[str, Any]]], bool] | None = None
               ) -> list[dict[str, Any]]:
        """Do `act`; the bot's bubbles after it, once the answer is complete (by default:
        once a bubble carries the leaflet's buttons)."""
        before = len(self.bot(channel, user))
        act()

        def complete() -> list[dict[str, Any]] | None:
            new = self.after(channel, user, before)
            if done is not None:
                return new if done(new) else None
            return new if any(_kind(b.get("data", "")) == "lfpdf"
                              for e in new for b in e["buttons"]) \
                else None

        result: list[dict[str, Any]] = self.wait(complete)
        return result


def _texts(entries: list[dict[str, Any]]) -> str:
    return "\n".join(e["text"] for e in entries if e["kind"] == "text" and not e["deleted"])


def _ui_language(shown: str) -> str:
    """The language the bot speaks to this user, by the offline label it shows."""
    [lang] = [lang for lang in ("en", "zh-TW", "ru") if t(lang, "offline.label") in shown]
    return lang


def _bold(entries: list[dict[str, Any]]) -> list[str]:
    return [s["text"] for e in entries for s in e["segments"] if s.get("b")]


def test_the_offline_leaflet_on_line_has_section_lines_one_label_and_no_prompt(sim: Sim):
    bubbles = sim.leaflet("line", "ru", "боль в пояснице")
    shown = _texts(bubbles)
    label = t(_ui_language(shown), "offline.label")
    assert shown.count(label) == 1 and shown.startswith(label)
    assert not [word for word in INTERNALS if word in shown]
    assert "Боль в пояснице\n\n■ " in shown  # the topic is the title, sections follow
    assert shown.count("\n■ ") == 5 and "\n• " in shown
    assert all(not e["segments"] or not _bold([e]) for e in bubbles)  # LINE: no formatting

    # A change and a translation, offline too: still one label, still no prompt.
    sim.tap("line", "ru", "lfmod")
    changed = sim.answer("line", "ru", lambda: sim.send("line", "ru", "добавьте про сон"))
    sim.tap("line", "ru", "lftr")
    translated = sim.answer("line", "ru", lambda: sim.tap("line", "ru", "lfto:ja"))
    for bubbles in (changed, translated):
        shown = _texts(bubbles)
        assert shown.count(label) == 1
        assert not [word for word in INTERNALS if word in shown]
        assert shown.count("\n■ ") == 5
    assert "добавьте про сон" in _texts(changed)


def test_a_telegram_leaflet_has_bold_headings_and_no_raw_markup(sim: Sim):
    bubbles = sim.leaflet("telegram", "en", "knee pain after running")
    leaflet = [e for e in bubbles if _bold([e])]
    assert leaflet, "no formatted leaflet"
    bold = _bold(leaflet)
    assert bold[0] == "Knee pain after running"  # the title
    assert DEMO_HEADINGS["en"][0] in bold and len(bold) == 6  # title + five headings
    shown = _texts(bubbles)
    assert not [word for word in INTERNALS if word in shown]
    assert "■" not in shown  # Telegram marks headings by bold, not by a sign
    assert shown.count(t("en", "offline.label")) == 1


def test_the_translation_list_leaves_out_the_leaflets_own_language(sim: Sim):
    sim.leaflet("line", "zh-TW", "痛風")
    before = len(sim.bot("line", "zh-TW"))
    sim.tap("line", "zh-TW", "lftr")
    ask = sim.wait(lambda: [e for e in sim.after("line", "zh-TW", before)
                            if e["text"] == t("zh-TW", "education.translate_ask")])
    offered = [_kind(b["data"]) for b in ask[-1]["buttons"]]
    assert "lfto:zh-TW" not in offered and {"lfto:en", "lfto:nan", "lfto:ru"} <= set(offered)


def test_a_taigi_leaflet_on_telegram_gets_tlpa_and_speech_and_the_note_goes(sim: Sim):
    user = "zh-TW"
    sim.leaflet("telegram", user, "骨質疏鬆")
    sim.tap("telegram", user, "lftr")

    def spoken(new: list[dict[str, Any]]) -> bool:
        return any(e["kind"] == "audio" for e in new)

    bubbles = sim.answer("telegram", user, lambda: sim.tap("telegram", user, "lfto:nan"),
                         done=spoken)
    coming = [e for e in bubbles if e["text"] == t(user, "taigi.coming")]
    assert coming and all(e["deleted"] for e in coming)  # replaced by the speech
    tlpa = [e for e in bubbles if t(user, "taigi.tlpa") in e["text"]]
    assert tlpa and t(user, "taigi.credit") in tlpa[0]["text"]
    [audio] = [e for e in bubbles if e["kind"] == "audio"]
    assert audio["text"] == t(user, "taigi.title_leaflet", title="骨質疏鬆")  # the caption
    assert audio["duration_ms"] > 0
    assert not [b for b in audio["buttons"] if b["data"].startswith("tts:")]
    assert "lforig" in [_kind(b["data"]) for b in audio["buttons"]]


def test_a_taigi_leaflet_on_line_says_the_speech_follows(sim: Sim):
    user = "en"
    sim.leaflet("line", user, "sunburn")
    sim.tap("line", user, "lftr")
    bubbles = sim.answer("line", user, lambda: sim.tap("line", user, "lfto:nan"),
                         done=lambda new: any(e["kind"] == "audio" for e in new))
    texts = [e["text"] for e in bubbles]
    lang = _ui_language("\n".join(texts))  # (a LINE profile says no language: zh-TW, Taiwan's)
    # LINE can neither edit nor delete: the note says what stays true once it is there.
    assert t(lang, "taigi.follows") in texts and t(lang, "taigi.coming") not in texts
    assert texts.index(t(lang, "taigi.follows")) < [e["kind"] for e in bubbles].index("audio")
    assert any(t(lang, "taigi.tlpa") in text for text in texts)
    note = bubbles[texts.index(t(lang, "taigi.follows"))]
    assert note["quick_reply"] and "lforig" in [_kind(b["data"]) for b in note["buttons"]]


def test_read_aloud_audio_says_what_it_is(sim: Sim):
    user = "ru"
    sim.leaflet("telegram", user, "мигрень")
    bubbles = sim.answer("telegram", user, lambda: sim.tap("telegram", user, "tts:leaflet"),
                         done=lambda new: any(e["kind"] == "audio" for e in new))
    [audio] = [e for e in bubbles if e["kind"] == "audio"]
    assert audio["text"] == t(user, "speech.title_leaflet", title="Мигрень")


@pytest.fixture(scope="module")
def gemini_sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    """`make dev --memory --local-gemini`: the real google-genai path against the local
    Gemini-protocol server, which answers in light Markdown as real models often do."""
    stack = LocalStack(port=0, functions_port=0, use_firestore=False, local_gemini=True,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    stack.start()
    try:
        with httpx.Client(base_url=stack.simulator.url, timeout=120) as client:
            yield Sim(client)
    finally:
        stack.stop()


@pytest.mark.parametrize(("channel", "user", "topic"), [("telegram", "ru", "plantar fasciitis"),
                                                        ("line", "en", "shingles")])
def test_a_models_markdown_never_shows_and_its_references_match_the_topic(
        gemini_sim: Sim, channel: str, user: str, topic: str):
    bubbles = gemini_sim.leaflet(channel, user, topic)
    shown = _texts(bubbles)
    assert topic in shown and "Overview" in shown
    assert not [mark for mark in ("# ", "**", "\n* ", "<b>", "&lt;") if mark in shown]
    if channel == "telegram":
        assert {topic, "Overview", "What to do now"} <= set(_bold(bubbles))
        assert "■" not in shown
    else:
        assert "\n■ Overview\n" in shown and "\n■ What to do now\n" in shown
    [cards] = [e for e in bubbles if e["kind"] == "cards" or
               (channel == "telegram" and any(s.get("url") for s in e["segments"]))]
    titles = [c["title"] for c in cards["cards"]] if cards["kind"] == "cards" else \
        [s["text"] for s in cards["segments"] if s.get("url")]
    assert titles and all(topic in title for title in titles if "google" not in title.lower())
