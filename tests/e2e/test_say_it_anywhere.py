"""Issue 12 in the simulator, as a patient uses it: the stack `make dev --memory` runs
(LocalStack: the functions host, the LINE/Telegram stand-ins, the SMTP sink), driven
only through the simulator's HTTP API (/sim/api/*), as the acceptance checks drive it.

Typed requests work in every mode, emergencies put the region's number first, buttons
act on their own leaflet, LINE users are answered in their profile language."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from infra.local.dev import LocalStack
from shared.domain.i18n import t

Entry = dict[str, Any]


class Simulator:
    """A patient's hands on the simulator's HTTP API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def entries(self, channel: str, user: str) -> list[Entry]:
        answer = self.http.get("/sim/api/chat", params={"channel": channel, "user": user})
        answer.raise_for_status()
        return list(answer.json()["entries"])

    def bot(self, channel: str, user: str) -> list[Entry]:
        return [e for e in self.entries(channel, user) if e["sender"] == "bot"]

    def _loading(self, channel: str, user: str) -> bool:
        answer = self.http.get("/sim/api/chat", params={"channel": channel, "user": user})
        return bool(answer.json()["loading"])

    def _answers(self, channel: str, user: str, act: Callable[[], httpx.Response],
                 until: Callable[[list[Entry]], bool] | None = None) -> list[Entry]:
        """What the bot says after `act`: new bubbles, once they stop arriving (or once
        `until` holds for them)."""
        seen = len(self.bot(channel, user))
        response = act()
        assert response.status_code == 200, response.text
        deadline, quiet_since, count = time.monotonic() + 45, time.monotonic(), seen
        while time.monotonic() < deadline:
            fresh = self.bot(channel, user)[seen:]
            if len(fresh) != count:
                count, quiet_since = len(fresh), time.monotonic()
            done = until(fresh) if until else (
                fresh and not self._loading(channel, user)
                and time.monotonic() - quiet_since > 1.0)
            if done:
                return fresh
            time.sleep(0.1)
        raise AssertionError(f"no answer in time: {[e['text'][:80] for e in fresh]}")

    def send(self, channel: str, user: str, text: str,
             until: Callable[[list[Entry]], bool] | None = None) -> list[Entry]:
        return self._answers(channel, user, lambda: self.http.post(
            "/sim/api/send", json={"channel": channel, "user": user, "text": text}), until)

    def follow(self, channel: str, user: str) -> list[Entry]:
        return self._answers(channel, user, lambda: self.http.post(
            "/sim/api/follow", json={"channel": channel, "user": user}))

    def tap(self, channel: str, user: str, entry: Entry, data: str,
            until: Callable[[list[Entry]], bool] | None = None) -> list[Entry]:
        index = [b.get("data") for b in entry["buttons"]].index(data)
        return self._answers(channel, user, lambda: self.http.post("/sim/api/tap", json={
            "channel": channel, "user": user, "entry_id": entry["id"], "button": index}), until)

    def outbox(self) -> list[dict[str, str]]:
        return list(self.http.get("/sim/api/outbox").json()["messages"])


def with_button(entries: list[Entry], verb: str) -> Entry:
    """The newest of `entries` that carries a button of kind `verb`."""
    for entry in reversed(entries):
        if any(_verb(b.get("data")) == verb for b in entry["buttons"]):
            return entry
    raise AssertionError(f"no {verb} button in {[e['text'][:60] for e in entries]}")


def button(entry: Entry, verb: str) -> str:
    return next(str(b["data"]) for b in entry["buttons"] if _verb(b.get("data")) == verb)


def _verb(data: object) -> str:
    return re.sub(r":.*", "", str(data or ""))


def texts(entries: list[Entry]) -> str:
    return "\n".join(str(e["text"]) for e in entries)


def leaflet_done(entries: list[Entry]) -> bool:
    return any(_verb(b.get("data")) == "lfmail" for e in entries for b in e["buttons"])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    local = LocalStack(port=0, functions_port=0, use_firestore=False,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    local.start()
    yield local
    local.stop()


@pytest.fixture(scope="module")
def sim(stack: LocalStack) -> Simulator:
    return Simulator(stack.simulator.url)


def test_start_then_a_medication_command_is_a_medication_command(sim: Simulator) -> None:
    started = sim.send("telegram", "en", "/start")
    assert t("en", "menu.title").splitlines()[0] in texts(started)
    answer = sim.send("telegram", "en", "add metformin 500 mg at 08:00")
    assert t("en", "menu.title").splitlines()[0] not in texts(answer)
    # No time zone yet: the medication feature asks it first, keeping the command.
    question = with_button(answer, "med")
    confirmed = sim.tap("telegram", "en", question, "med:tz:UTC")
    assert "metformin" in texts(confirmed).lower() and "08:00" in texts(confirmed)
    # Back at the menu, another command in other words goes to the medicines too.
    sim.send("telegram", "en", "menu")
    listed = sim.send("telegram", "en", "show my medications")
    assert "metformin" in texts(listed).lower()


def test_a_leaflet_asked_for_in_words_at_the_menu_is_written(sim: Simulator) -> None:
    sim.send("telegram", "ru", "меню")
    leaflet = sim.send("telegram", "ru", "мне нужна памятка про астму", until=leaflet_done)
    assert "астм" in texts(leaflet).lower()
    # From the leaflet's screen a medication command still reaches the medicines.
    answer = sim.send("telegram", "ru", "добавь аспирин 100 мг в 9:00")
    assert button(with_button(answer, "med"), "med").startswith("med:tz:")


@pytest.mark.parametrize(("user", "lang"), [("en", "en"), ("ru", "ru")])
def test_line_users_are_answered_in_their_profile_language(sim: Simulator, user: str,
                                                           lang: str) -> None:
    welcome = sim.follow("line", user)
    assert texts(welcome).startswith(t(lang, "menu.title").splitlines()[0])
    help_text = sim.send("line", user, "?")
    assert t(lang, "menu.help") in [b["label"] for b in help_text[-1]["buttons"]]
    # The app's rich menu is the one of their language; its tiles work.
    shown = sim.http.get("/sim/api/menu", params={"channel": "line", "user": user}).json()
    assert shown["rich_menu"]["name"] == f"medbot {lang}"
    intro = sim._answers("line", user, lambda: sim.http.post(
        "/sim/api/menu/tap", json={"channel": "line", "user": user, "area": 0}))
    assert texts(intro).startswith(t(lang, "education.intro").splitlines()[0])


def test_a_red_flag_later_in_a_translation_shows_119_first(sim: Simulator) -> None:
    menu = sim.send("line", "zh-TW", "選單")
    languages = sim.tap("line", "zh-TW", with_button(menu, "mode"), "mode:tr")
    sim.tap("line", "zh-TW", with_button(languages, "tr"), "tr:en")
    first = sim.send("line", "zh-TW", "醫生，我的腳踝扭到了",
                     until=lambda e: any(_verb(b.get("data")) == "tcont"
                                         for x in e for b in x["buttons"]))
    # A harmless mention of the chest is no emergency.
    xray = sim.send("line", "zh-TW", "我下週二要照胸部X光",
                    until=lambda e: any("X光" in x["text"] for x in e))
    assert t("zh-TW", "emergency.alert", emergency="119") not in texts(first + xray)
    urgent = sim.send("line", "zh-TW", "我從昨天開始胸口很痛，現在呼吸很喘",
                      until=lambda e: any("呼吸很喘" in x["text"] for x in e))
    assert urgent[0]["text"] == t("zh-TW", "emergency.alert", emergency="119")
    assert "119" in urgent[0]["text"]
    assert any("呼吸很喘" in e["text"] for e in urgent[1:])  # and still translated


def test_the_email_button_under_an_older_leaflet_sends_that_leaflet(sim: Simulator) -> None:
    sim.follow("line", "en")
    older = sim.send("line", "en", "I need a leaflet about diabetes", until=leaflet_done)
    newer = sim.send("line", "en", "write me a leaflet about influenza", until=leaflet_done)
    assert button(with_button(older, "lfmail"), "lfmail") != button(
        with_button(newer, "lfmail"), "lfmail")
    before = len(sim.outbox())
    entry = with_button(older, "lfmail")
    asked = sim.tap("line", "en", entry, button(entry, "lfmail"))
    assert texts(asked) == t("en", "education.email_ask")
    sim.send("line", "en", "alice@example.org",
             until=lambda e: t("en", "education.email_sent") in texts(e))
    [mail] = sim.outbox()[before:]
    assert mail["to"] == "alice@example.org"
    assert "diabetes" in mail["text"].lower() and "influenza" not in mail["text"].lower()


def test_typing_translate_after_a_line_leaflet_offers_the_languages(sim: Simulator) -> None:
    leaflet = sim.send("line", "ru", "памятка о гипертонии", until=leaflet_done)
    leaflet_id = button(with_button(leaflet, "lfmail"), "lfmail").split(":")[1]
    offered = sim.send("line", "ru", "翻譯")
    assert texts(offered) == t("ru", "education.translate_ask")
    data = [str(b["data"]) for b in offered[-1]["buttons"]]
    assert f"lfto:{leaflet_id}:en" in data and f"lfto:{leaflet_id}:zh-TW" in data
    # "cancel" leaves the question; the leaflet is still on screen for typed actions.
    assert t("ru", "cancel.done") in texts(sim.send("line", "ru", "отмена"))
    again = sim.send("line", "ru", "переведи")
    assert texts(again) == t("ru", "education.translate_ask")


def test_cancel_gets_out_of_the_email_prompt(sim: Simulator) -> None:
    leaflet = sim.send("telegram", "zh-TW", "我想要一份關於痛風的衛教單張", until=leaflet_done)
    entry = with_button(leaflet, "lfmail")
    sim.tap("telegram", "zh-TW", entry, button(entry, "lfmail"))
    for typed in ("I changed my mind", "取消"):
        answer = sim.send("telegram", "zh-TW", typed)
        assert t("zh-TW", "education.email_invalid") not in texts(answer)
        assert texts(answer).startswith(t("zh-TW", "cancel.done"))
        sim.tap("telegram", "zh-TW", entry, button(entry, "lfmail"))
