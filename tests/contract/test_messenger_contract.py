"""One Messenger suite, run against the in-memory RecordingMessenger and against the real
LINE / Telegram adapters talking to the fake platforms (infra/local/platforms/), so
the fake cannot drift from what the SDKs really do.

Each backend gets a small harness that reads back what the user would have seen.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.platforms import ChannelName, PlatformServer
from shared.adapters.line_messenger import LineMessenger, render_messages
from shared.adapters.telegram_messenger import TelegramMessenger
from shared.domain.channels import Channel
from shared.domain.errors import MediaTooLarge, MessengerError, is_transient
from shared.domain.leaflet_format import pages as leaflet_pages
from shared.domain.messages import Audio, Button, Card, Cards, Leaflet, OutMessage, Text
from shared.domain.text_split import split_for, utf16_len
from shared.fakes.recording_messenger import RecordingMessenger
from shared.fakes.telegram_rules import telegram_segments
from shared.ports import Messenger

pytestmark = pytest.mark.emulator

USER = "en"


@dataclass(frozen=True)
class Shown:
    """A bubble as the user sees it, in platform-neutral terms."""

    kind: str  # text / audio / cards
    text: str = ""
    buttons: tuple[tuple[str, str, str | None], ...] = ()  # (label, data, url)
    audio_url: str | None = None
    duration_ms: int | None = None
    cards: tuple[tuple[str, str], ...] = ()  # (title, url)


class Harness:
    channel: Channel
    messenger: Messenger
    chat_id: str
    real: bool

    def shown(self) -> list[Shown]:
        raise NotImplementedError

    def texts(self) -> list[str]:
        return [s.text for s in self.shown() if s.kind == "text"]

    def reply_token(self) -> str:
        raise NotImplementedError

    def expire(self, token: str) -> None:
        raise NotImplementedError

    def loading_shown(self) -> bool:
        raise NotImplementedError

    def add_audio(self, data: bytes) -> str:
        raise NotImplementedError

    def pending_callback(self) -> str:
        raise NotImplementedError

    def acked(self) -> list[str]:
        raise NotImplementedError

    def fail_next(self, status: int) -> None:
        """The platform answers the next call with `status`."""
        raise NotImplementedError

    def block(self) -> None:
        raise NotImplementedError

    def group(self) -> str:
        """A group chat with the bot in it."""
        raise NotImplementedError

    def groups_left(self) -> set[str]:
        raise NotImplementedError

    def unblock(self) -> None:
        raise NotImplementedError


class FakeHarness(Harness):
    real = False

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.fake = RecordingMessenger(channel)
        self.messenger = self.fake
        self.chat_id = "U" + "a" * 32 if channel is Channel.LINE else "100000001"
        self._tokens = 0
        self._media = 0

    def shown(self) -> list[Shown]:
        shown: list[Shown] = []
        for message in self.fake.shown_to(self.chat_id, visible=True):
            buttons = tuple((b.label, b.data, b.url) for b in message.buttons)
            if isinstance(message, Text):
                chunks = split_for(self.channel, message.text)
                shown += [Shown("text", c) for c in chunks[:-1]]
                shown.append(Shown("text", chunks[-1], buttons))
            elif isinstance(message, Audio):
                shown.append(Shown("audio", buttons=buttons, audio_url=message.url,
                                   duration_ms=message.duration_ms))
            elif isinstance(message, Leaflet):
                pages = [p if self.channel is Channel.LINE
                         else "".join(s["text"] for s in telegram_segments(p, "HTML")[0])
                         for p in leaflet_pages(self.channel, message.text, lead=message.lead,
                                                shortened=message.shortened)]
                shown += [Shown("text", p) for p in pages[:-1]]
                shown.append(Shown("text", pages[-1], buttons))
            else:
                shown.append(Shown("cards", buttons=buttons,
                                   cards=tuple((c.title, c.url) for c in message.cards)))
        return shown

    def reply_token(self) -> str:
        self._tokens += 1
        return f"token-{self._tokens}"

    def expire(self, token: str) -> None:
        self.fake.expire_reply_token(token)

    def loading_shown(self) -> bool:
        return any(chat == self.chat_id for chat, _ in self.fake.loading)

    def add_audio(self, data: bytes) -> str:
        self._media += 1
        self.fake.add_audio(f"media-{self._media}", data)
        return f"media-{self._media}"

    def pending_callback(self) -> str:
        return "callback-1"

    def acked(self) -> list[str]:
        return list(self.fake.acks)

    def fail_next(self, status: int) -> None:
        self.fake.fail_next(1, status=status)

    def block(self) -> None:
        self.fake.block(self.chat_id)

    def group(self) -> str:
        return "C" + "1" * 32 if self.channel is Channel.LINE else "-1001000000001"

    def groups_left(self) -> set[str]:
        return set(self.fake.left)

    def unblock(self) -> None:
        self.fake.unblock(self.chat_id)


class RealHarness(Harness):
    real = True

    def __init__(self, channel: Channel, server: PlatformServer) -> None:
        self.channel = channel
        self.server = server
        self.state = server.state
        self.name: ChannelName = "line" if channel is Channel.LINE else "telegram"
        self.chat_id = self.state.chat_id(self.name, USER)
        self.messenger: LineMessenger | TelegramMessenger
        if channel is Channel.LINE:
            self.messenger = LineMessenger(
                self.state.line_access_token,
                api_base_url=server.url,
                data_api_base_url=server.url,
                timeout_s=1.0,
                media_retry_delays=(0.01, 0.01),
            )
        else:
            self.messenger = TelegramMessenger(
                self.state.telegram_token,
                base_url=server.telegram_base_url,
                base_file_url=server.telegram_file_url,
                timeout_s=1.0,
            )

    def shown(self) -> list[Shown]:
        shown: list[Shown] = []
        for e in self.state.bot_entries(self.name, self.chat_id):
            buttons = tuple((b["label"], b["data"], b["url"]) for b in e.buttons)
            if e.kind == "cards" or (e.kind == "text" and any(s["url"] for s in e.segments)):
                cards = e.cards or [
                    {"title": s["text"], "url": s["url"]} for s in e.segments if s["url"]
                ]
                shown.append(Shown("cards", buttons=buttons,
                                   cards=tuple((c["title"], c["url"]) for c in cards)))
            elif e.kind == "audio":
                shown.append(Shown("audio", buttons=buttons, audio_url=e.audio_url,
                                   duration_ms=e.duration_ms))
            else:
                shown.append(Shown("text", e.text, buttons))
        return shown

    def reply_token(self) -> str:
        return self.state.issue_reply_token(self.chat_id)

    def expire(self, token: str) -> None:
        self.state.expire_reply_tokens()

    def loading_shown(self) -> bool:
        return any(c.endpoint in ("loading", "sendChatAction") and c.status < 300
                   for c in self.state.calls_to(self.name))

    def add_audio(self, data: bytes) -> str:
        if self.channel is Channel.LINE:
            return self.state.add_line_audio(data)
        return self.state.add_telegram_file(data)[0]

    def pending_callback(self) -> str:
        self.messenger.send(self.chat_id, [Text(text="Dose due", buttons=[
            Button(label="Taken", data="taken:1")])], key="carrier")
        result = self.state.tap(self.name, USER, "taken:1")  # no webhook URL: not posted
        return str(result.payload["callback_query"]["id"])

    def acked(self) -> list[str]:
        return list(self.state.answered_callbacks)

    def fail_next(self, status: int) -> None:
        self.state.fail_next(1, status=status, channel=self.name)

    def block(self) -> None:
        self.state.block(self.name, USER)  # no webhook URL: nothing is posted

    def group(self) -> str:
        return self.state.add_to_group(self.name, USER)[0].chat_id

    def groups_left(self) -> set[str]:
        return {g.chat_id for g in self.state.groups.all() if not g.bot_in}

    def unblock(self) -> None:
        self.state.unblock(self.name, USER)

    def close(self) -> None:
        self.messenger.close()


BACKENDS = ["fake-line", "fake-telegram", "line", "telegram"]


@pytest.fixture(params=BACKENDS)
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    kind: str = request.param
    channel = Channel.LINE if kind.endswith("line") else Channel.TELEGRAM
    if kind.startswith("fake"):
        yield FakeHarness(channel)
        return
    server: PlatformServer = request.getfixturevalue("platform_server")
    real = RealHarness(channel, server)
    try:
        yield real
    finally:
        real.close()


def backends(*names: str) -> pytest.MarkDecorator:
    """Run a test on some backends only (the default is all four)."""
    return pytest.mark.parametrize("harness", names, indirect=True)


LINE_BOTH = backends("fake-line", "line")
TELEGRAM_BOTH = backends("fake-telegram", "telegram")
REAL = backends("line", "telegram")
REAL_LINE = backends("line")
REAL_TELEGRAM = backends("telegram")
FAKES = backends("fake-line", "fake-telegram")


def long_text() -> str:
    paragraph = (
        "Take one tablet of amlodipine every morning. 每天早上服用一顆。"
        "Принимайте одну таблетку утром. 💊🩺 "
    )
    return "\n\n".join(f"{i}. " + paragraph * 8 for i in range(40))


# =============================================================================== suite
def test_a_leaflet_shows_its_sections_in_each_platforms_way(harness: Harness) -> None:
    leaflet = Leaflet(text="**Flu**\n\n## Care\n* Rest <well>\n* Drink", lead="(demo)",
                      buttons=[Button(label="Menu", data="menu")])
    harness.messenger.send(harness.chat_id, [leaflet], key="leaflet")
    heading = "■ Care" if harness.channel is Channel.LINE else "Care"  # bold on Telegram
    assert harness.shown() == [Shown("text", f"(demo)\n\nFlu\n\n{heading}\n• Rest <well>\n"
                                             "• Drink", (("Menu", "menu", None),))]


@REAL_TELEGRAM
def test_a_telegram_leaflet_arrives_with_bold_headings(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    harness.messenger.send(harness.chat_id, [Leaflet(text="Flu\n\n■ Care\n• Rest")], key="lf")
    [entry] = harness.state.bot_entries("telegram", harness.chat_id)
    assert [s["text"] for s in entry.segments if s["b"]] == ["Flu", "Care"]


def test_text_with_buttons(harness: Harness) -> None:
    buttons = [Button(label="Yes", data="yes"), Button(label="Read more", url="https://who.int/")]
    harness.messenger.send(harness.chat_id, [Text(text="Hello", buttons=buttons)], key="k1")

    shown = harness.shown()
    assert [s.text for s in shown] == ["Hello"]
    assert shown[0].buttons == (("Yes", "yes", None), ("Read more", "", "https://who.int/"))


def test_long_text_is_split_with_nothing_lost(harness: Harness) -> None:
    text = long_text()
    harness.messenger.send(
        harness.chat_id, [Text(text=text, buttons=[Button(label="OK", data="ok")])], key="long"
    )

    shown = harness.shown()
    assert len(shown) >= 3
    assert "".join(s.text for s in shown) == text
    limit = 5000 if harness.channel is Channel.LINE else 4096
    assert all(utf16_len(s.text) <= limit for s in shown)
    assert [bool(s.buttons) for s in shown] == [False] * (len(shown) - 1) + [True]


def test_many_messages_arrive_in_order(harness: Harness) -> None:
    messages: list[OutMessage] = [Text(text=f"message {i}") for i in range(12)]
    harness.messenger.send(harness.chat_id, messages, key="many", reply_token=harness.reply_token())

    assert harness.texts() == [f"message {i}" for i in range(12)]


@REAL_LINE
def test_line_more_than_five_messages_reply_then_push(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    messages: list[OutMessage] = [Text(text=f"m{i}") for i in range(12)]
    harness.messenger.send(harness.chat_id, messages, key="many", reply_token=harness.reply_token())

    calls = [(c.endpoint, c.status) for c in harness.state.calls_to("line")]
    assert calls == [("reply", 200), ("push", 200), ("push", 200)]
    assert [e.via for e in harness.state.bot_entries("line", USER)] == ["reply"] * 5 + ["push"] * 7


@LINE_BOTH
def test_expired_reply_token_falls_back_to_push(harness: Harness) -> None:
    token = harness.reply_token()
    harness.expire(token)

    harness.messenger.send(harness.chat_id, [Text(text="late answer")], key="late",
                           reply_token=token)

    assert harness.texts() == ["late answer"]
    if isinstance(harness, RealHarness):
        calls = [(c.endpoint, c.status) for c in harness.state.calls_to("line")]
        assert calls == [("reply", 400), ("push", 200)]
    else:
        assert isinstance(harness, FakeHarness)
        assert harness.fake.sends[-1].used_reply_token is False


@LINE_BOTH
def test_reply_token_works_once(harness: Harness) -> None:
    token = harness.reply_token()
    harness.messenger.send(harness.chat_id, [Text(text="first")], key="a", reply_token=token)
    harness.messenger.send(harness.chat_id, [Text(text="second")], key="b", reply_token=token)

    assert harness.texts() == ["first", "second"]
    if isinstance(harness, RealHarness):
        assert [e.via for e in harness.state.bot_entries("line", USER)] == ["reply", "push"]


@LINE_BOTH
def test_line_retried_push_with_same_key_is_delivered_once(harness: Harness) -> None:
    messages: list[OutMessage] = [Text(text=f"dose reminder {i}") for i in range(7)]
    harness.messenger.send(harness.chat_id, messages, key="remind:med1:0800")
    harness.messenger.send(harness.chat_id, messages, key="remind:med1:0800")  # task retried

    assert harness.texts() == [f"dose reminder {i}" for i in range(7)]
    if isinstance(harness, RealHarness):
        statuses = [c.status for c in harness.state.calls_to("line", "push")]
        assert statuses == [200, 200, 409, 409]


@REAL_LINE
def test_line_retry_after_partial_failure_completes_without_duplicates(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    messages: list[OutMessage] = [Text(text=f"part {i}") for i in range(7)]
    harness.state.fail_next(1, channel="line", after=1)  # batch 0 goes out, batch 1 fails
    with pytest.raises(MessengerError):
        harness.messenger.send(harness.chat_id, messages, key="partial")

    harness.messenger.send(harness.chat_id, messages, key="partial")  # the task's retry

    assert harness.texts() == [f"part {i}" for i in range(7)]
    assert [c.status for c in harness.state.calls_to("line", "push")] == [200, 500, 409, 200]


@TELEGRAM_BOTH
def test_telegram_has_no_retry_key_so_a_retry_repeats(harness: Harness) -> None:
    harness.messenger.send(harness.chat_id, [Text(text="once?")], key="same")
    harness.messenger.send(harness.chat_id, [Text(text="once?")], key="same")

    # The caller de-duplicates on Telegram (plumbing/delivery.py records sent keys).
    assert harness.texts() == ["once?", "once?"]


def test_audio(harness: Harness) -> None:
    url = "https://blobs.example.org/tts/abc.m4a?sig=1"
    harness.messenger.send(
        harness.chat_id, [Audio(url=url, duration_ms=4200, mime="audio/mp4")], key="audio"
    )

    (shown,) = harness.shown()
    assert shown.kind == "audio"
    assert shown.audio_url == url
    assert shown.duration_ms is not None and 4200 <= shown.duration_ms < 5200


@REAL_TELEGRAM
def test_telegram_ogg_is_sent_as_voice(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    harness.messenger.send(harness.chat_id, [
        Audio(url="https://b.example/v.ogg", duration_ms=900, mime="audio/ogg"),
        Audio(url="https://b.example/a.mp3", duration_ms=900, mime="audio/mpeg"),
    ], key="voice")

    assert [e.via for e in harness.state.bot_entries("telegram", USER)] == [
        "sendVoice", "sendAudio"]


def test_cards_within_limits(harness: Harness) -> None:
    cards = [
        Card(title=f"衛教資料 {i} " + "高血壓" * 80, subtitle="WHO fact sheet " * 40,
             url=f"https://example.org/leaflet/{i}?lang=zh-TW")
        for i in range(15)
    ]
    harness.messenger.send(
        harness.chat_id, [Cards(alt_text="Sources", cards=cards)], key="cards"
    )

    shown = harness.shown()
    assert all(s.kind == "cards" for s in shown)
    urls = [url for s in shown for _, url in s.cards]
    assert urls == [c.url for c in cards]
    if harness.real and harness.channel is Channel.LINE:
        assert len(shown) == 2  # 12 + 3 bubbles; the server enforced the byte limits


@REAL_LINE
def test_line_quick_reply_limits(harness: Harness) -> None:
    # 13 is all a quick reply holds; a 14th option cannot even be built (it would be
    # dropped silently): longer lists are paged (shared/domain/paging.py).
    buttons = [Button(label=f"Option number {i} with a long label", data=f"o{i}")
               for i in range(13)]
    with pytest.raises(ValueError):
        Text(text="Pick", buttons=[*buttons, Button(label="one more", data="o13")])
    harness.messenger.send(harness.chat_id, [Text(text="Pick", buttons=buttons)], key="qr")

    (shown,) = harness.shown()
    assert len(shown.buttons) == 13
    labels = [label for label, _, _ in shown.buttons]
    assert all(utf16_len(label) <= 20 for label in labels)
    assert len(set(labels)) == 13  # cut to 20, they still tell the options apart
    assert [data for _, data, _ in shown.buttons] == [f"o{i}" for i in range(13)]


@REAL_TELEGRAM
def test_telegram_keyboard_and_cards_html(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    harness.messenger.send(harness.chat_id, [Cards(alt_text="Sources <&>", cards=[
        Card(title="A <b>bold</b> & risky title", url="https://x.example/?a=1&b=2")])],
        key="html")

    (entry,) = harness.state.bot_entries("telegram", USER)
    assert entry.text.startswith("Sources <&>")
    link = next(s for s in entry.segments if s["url"])
    assert link == {"text": "A <b>bold</b> & risky title", "url": "https://x.example/?a=1&b=2",
                    "b": False, "i": False}


def test_loading_indicator(harness: Harness) -> None:
    harness.messenger.show_loading(harness.chat_id, 7)

    assert harness.loading_shown()


def test_fetch_audio_with_size_limit(harness: Harness) -> None:
    data = bytes(range(256)) * 8  # 2048 bytes
    media_id = harness.add_audio(data)

    assert harness.messenger.fetch_audio(media_id, max_bytes=4096) == data
    with pytest.raises(MediaTooLarge):
        harness.messenger.fetch_audio(media_id, max_bytes=1000)


def test_fetch_unknown_audio_is_not_retryable(harness: Harness) -> None:
    with pytest.raises(MessengerError) as caught:
        harness.messenger.fetch_audio("no-such-media", max_bytes=1000)
    assert caught.value.retryable is False


@REAL_LINE
def test_line_fetch_audio_waits_while_preparing(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    media_id = harness.state.add_line_audio(b"m4a-bytes", preparing=2)

    assert harness.messenger.fetch_audio(media_id, max_bytes=100) == b"m4a-bytes"
    assert [c.status for c in harness.state.calls_to("line", "content")] == [202, 202, 200]


@REAL_TELEGRAM
def test_telegram_refuses_large_files_before_download(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    file_id = harness.add_audio(b"x" * 2000)

    with pytest.raises(MediaTooLarge):
        harness.messenger.fetch_audio(file_id, max_bytes=1000)
    assert harness.state.calls_to("telegram", "download") == []


@TELEGRAM_BOTH
def test_callback_acknowledged(harness: Harness) -> None:
    callback_id = harness.pending_callback()

    harness.messenger.acknowledge(callback_id)

    assert harness.acked() == [callback_id]


@REAL_LINE
def test_line_acknowledge_is_a_no_op(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    harness.messenger.acknowledge("anything")
    assert harness.state.calls_to("line") == []


# =============================================================================== ids, retract
def test_send_returns_the_id_of_every_bubble(harness: Harness) -> None:
    first = harness.messenger.send(harness.chat_id, [Text(text="one"), Text(text="two")],
                                   key="ids-1")
    second = harness.messenger.send(harness.chat_id, [Text(text=long_text())], key="ids-2")

    assert len(first) == 2
    assert len(second) == len(harness.shown()) - 2 >= 3  # one id per bubble of the split
    ids = first + second
    assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids)


@LINE_BOTH
def test_line_repeated_push_returns_the_ids_of_the_first(harness: Harness) -> None:
    messages: list[OutMessage] = [Text(text="dose reminder")]
    first = harness.messenger.send(harness.chat_id, messages, key="remind:again")
    again = harness.messenger.send(harness.chat_id, messages, key="remind:again")  # 409

    assert first and again == first
    assert harness.texts() == ["dose reminder"]


@TELEGRAM_BOTH
def test_telegram_retract_deletes_and_a_repeat_is_harmless(harness: Harness) -> None:
    old = harness.messenger.send(harness.chat_id, [Text(text="Take aspirin", buttons=[
        Button(label="Taken", data="rt:1")])], key="r1")
    harness.messenger.send(harness.chat_id, [Text(text="Take aspirin (again)")], key="r2")

    harness.messenger.retract(harness.chat_id, old)
    harness.messenger.retract(harness.chat_id, old)  # a retried task: already gone
    harness.messenger.retract(harness.chat_id, ["987654"])  # never existed

    assert harness.texts() == ["Take aspirin (again)"]
    if isinstance(harness, RealHarness):
        [gone] = [e for e in harness.state.entries("telegram", USER) if e.deleted]
        assert gone.text == "Take aspirin" and str(gone.message_id) == old[0]
        assert [c.status for c in harness.state.calls_to("telegram", "deleteMessage")] == [
            200, 400, 400]
    else:
        assert isinstance(harness, FakeHarness)
        assert harness.fake.retracted_ids(harness.chat_id) == [*old, *old, "987654"]


@REAL_TELEGRAM
def test_telegram_retract_after_48_hours_removes_the_buttons(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    buttons = [Button(label="Taken", data="rt:1")]
    plain = harness.messenger.send(harness.chat_id, [Text(text="Dose A", buttons=buttons)],
                                   key="a")
    noted = harness.messenger.send(harness.chat_id, [Text(text="Dose B", buttons=buttons)],
                                   key="b")
    later = datetime.now(UTC) + timedelta(hours=49)
    harness.state.clock_now = lambda: later  # deleteMessage refuses from now on

    harness.messenger.retract(harness.chat_id, plain)
    harness.messenger.retract(harness.chat_id, noted, note="Missed")
    harness.messenger.retract(harness.chat_id, plain)  # nothing left to remove: no error

    a, b = harness.state.bot_entries("telegram", USER)
    assert (a.text, a.buttons, a.edited, a.deleted) == ("Dose A", [], True, False)
    assert (b.text, b.buttons, b.edited) == ("Missed", [], True)


def test_edit_replaces_a_telegram_message_and_line_cannot(harness: Harness) -> None:
    taken_a = Button(label="Taken: aspirin", data="rt:1:0")
    taken_m = Button(label="Taken: metformin", data="rt:1:1")
    ids = harness.messenger.send(harness.chat_id, [Text(text="Take aspirin, metformin",
                                                        buttons=[taken_a, taken_m])], key="e1")
    answered = Text(text="aspirin ✓, metformin", buttons=[taken_m])

    edited = harness.messenger.edit(harness.chat_id, ids[-1], answered)
    again = harness.messenger.edit(harness.chat_id, ids[-1], answered)  # a retried task
    unknown = harness.messenger.edit(harness.chat_id, "987654", answered)

    if harness.channel is Channel.TELEGRAM:
        assert (edited, again, unknown) == (True, True, False)
        [shown] = harness.shown()
        assert (shown.text, [b[:2] for b in shown.buttons]) == (
            "aspirin ✓, metformin", [("Taken: metformin", "rt:1:1")])
    else:  # LINE cannot edit: the message stays as sent, and the caller says it anew
        assert (edited, again, unknown) == (False, False, False)
        assert harness.texts() == ["Take aspirin, metformin"]
        if isinstance(harness, RealHarness):
            assert [c.endpoint for c in harness.state.calls_to("line")] == ["push"]


@LINE_BOTH
def test_line_retract_is_a_no_op(harness: Harness) -> None:
    ids = harness.messenger.send(harness.chat_id, [Text(text="Take aspirin")], key="l1")

    harness.messenger.retract(harness.chat_id, ids, note="Missed")

    assert harness.texts() == ["Take aspirin"]
    if isinstance(harness, RealHarness):
        assert [c.endpoint for c in harness.state.calls_to("line")] == ["push"]


# =============================================================================== faults
@pytest.mark.parametrize("mode", ["error", "hang"])
@REAL
def test_platform_failure_is_retryable_and_retry_delivers_once(
    harness: Harness, mode: str
) -> None:
    assert isinstance(harness, RealHarness)
    harness.state.fail_next(1, mode="error" if mode == "error" else "hang", hang_s=2.0)

    with pytest.raises(MessengerError) as caught:
        harness.messenger.send(harness.chat_id, [Text(text="important")], key="fault")
    assert caught.value.retryable

    harness.messenger.send(harness.chat_id, [Text(text="important")], key="fault")
    assert harness.texts() == ["important"]


@REAL
def test_rejected_message_is_not_retryable(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    with pytest.raises(MessengerError) as caught:
        harness.messenger.send("U" + "0" * 31 + "Z" if harness.channel is Channel.LINE
                               else "999", [Text(text="to nobody")], key="bad")
    assert caught.value.retryable is False


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413, 429, 500, 502, 503])
def test_an_error_is_permanent_or_transient_by_its_status_on_every_backend(
    harness: Harness, status: int
) -> None:
    # One line between the classes (errors.is_transient), drawn alike by the fake and
    # both adapters: a task retries only what can succeed later.
    harness.fail_next(status)

    with pytest.raises(MessengerError) as caught:
        harness.messenger.send(harness.chat_id, [Text(text="Dose due")], key=f"s{status}")

    error = caught.value
    assert error.status == status
    assert error.retryable is is_transient(status)
    assert error.permanent is not is_transient(status)
    # Telegram's 403 means the user cannot be reached (blocked the bot, deleted the
    # account); LINE's 403 is about the channel's rights, never a user.
    assert error.unreachable is (status == 403 and harness.channel is Channel.TELEGRAM)
    harness.messenger.send(harness.chat_id, [Text(text="Dose due")], key=f"s{status}")
    assert harness.texts() == ["Dose due"]


def test_a_user_who_blocked_the_bot_gets_nothing_and_gets_messages_again_after(
    harness: Harness,
) -> None:
    harness.block()

    if harness.channel is Channel.TELEGRAM:  # 403 "Forbidden: bot was blocked by the user"
        with pytest.raises(MessengerError) as caught:
            harness.messenger.send(harness.chat_id, [Text(text="Dose due")], key="b1")
        assert (caught.value.status, caught.value.permanent) == (403, True)
        assert caught.value.unreachable
    else:  # LINE answers 200 and delivers to no one
        harness.messenger.send(harness.chat_id, [Text(text="Dose due")], key="b1")
    assert harness.texts() == []
    # Best-effort calls stay quiet; a retraction has nothing left to do.
    harness.messenger.show_loading(harness.chat_id)
    harness.messenger.retract(harness.chat_id, ["1"], note="old")

    harness.unblock()
    harness.messenger.send(harness.chat_id, [Text(text="Welcome back")], key="b2")
    assert harness.texts() == ["Welcome back"]


def test_the_bot_leaves_a_group_and_a_second_leave_is_harmless(harness: Harness) -> None:
    group = harness.group()
    harness.messenger.send(group, [Text(text="I work in private chats")], key="g1")

    harness.messenger.leave(group)
    harness.messenger.leave(group)  # already out: no error

    assert harness.groups_left() == {group}
    with pytest.raises(MessengerError) as caught:  # the platform refuses a chat left
        harness.messenger.send(group, [Text(text="still here?")], key="g2")
    assert caught.value.permanent


def test_the_chat_link_opens_a_private_chat_and_is_asked_for_once(harness: Harness) -> None:
    link = harness.messenger.chat_link()

    pattern = (r"https://line\.me/R/ti/p/%40[0-9a-z]+" if harness.channel is Channel.LINE
               else r"https://t\.me/[A-Za-z0-9_]{5,32}")
    assert link is not None and re.fullmatch(pattern, link), link
    assert harness.messenger.chat_link() == link
    if isinstance(harness, RealHarness):
        asked = [c for c in harness.state.calls_to(harness.name)
                 if c.endpoint in ("info", "getMe")]
        assert len(asked) == 1


@REAL
def test_no_chat_link_when_the_platform_cannot_say(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    harness.state.fail_next(1, status=500, channel=harness.name)
    assert harness.messenger.chat_link() is None
    assert harness.messenger.chat_link() is not None  # asked again, not cached


@LINE_BOTH
def test_line_leaves_only_groups_and_rooms(harness: Harness) -> None:
    with pytest.raises(MessengerError) as caught:
        harness.messenger.leave(harness.chat_id)  # a user: nothing to leave
    assert caught.value.permanent


@FAKES
def test_fake_fail_next(harness: Harness) -> None:
    assert isinstance(harness, FakeHarness)
    harness.fake.fail_next(1)
    with pytest.raises(MessengerError):
        harness.messenger.send(harness.chat_id, [Text(text="x")], key="f")
    harness.messenger.send(harness.chat_id, [Text(text="x")], key="f")
    assert harness.texts() == ["x"]


# =============================================================================== rendering
def test_line_render_is_json_serialisable_and_batched() -> None:
    wire = render_messages([Text(text="a" * 12_000), Cards(alt_text="", cards=[
        Card(title="", url="https://www.who.int/x")])])
    assert [w["type"] for w in wire] == ["text", "text", "text", "flex"]
    flex: dict[str, Any] = wire[-1]
    assert flex["altText"]  # never empty, LINE rejects that
    footer = json.dumps(flex["contents"]["contents"][0]["footer"])
    assert "who.int" in footer


def test_line_content_goes_to_the_data_host(platform_server: PlatformServer) -> None:
    # api_base_url points nowhere: only the data host can answer the download.
    messenger = LineMessenger(
        platform_server.state.line_access_token,
        api_base_url="http://127.0.0.1:9",
        data_api_base_url=platform_server.url,
        timeout_s=1.0,
    )
    media_id = platform_server.state.add_line_audio(b"voice")
    try:
        assert messenger.fetch_audio(media_id, max_bytes=10) == b"voice"
    finally:
        messenger.close()


def test_wrong_line_token_is_rejected(platform_server: PlatformServer) -> None:
    messenger = LineMessenger("wrong", api_base_url=platform_server.url,
                              data_api_base_url=platform_server.url, timeout_s=1.0)
    try:
        with pytest.raises(MessengerError) as caught:
            messenger.send("U" + "a" * 32, [Text(text="x")], key="k")
        assert caught.value.status == 401 and not caught.value.retryable
    finally:
        messenger.close()


def test_line_quick_reply_moves_to_the_last_message_where_line_shows_it() -> None:
    wire = render_messages([
        Text(text="Read aloud?", buttons=[Button(label="Yes", data="tts")]),
        Cards(alt_text="Sources", cards=[Card(title="WHO", url="https://who.int/")]),
    ])
    assert "quickReply" not in wire[0]
    assert wire[1]["quickReply"]["items"][0]["action"]["data"] == "tts"


@REAL
def test_no_message_text_audio_url_or_token_in_logs(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert isinstance(harness, RealHarness)
    secret_text = "patient has hypertension 160/100"
    audio_url = "https://blobs.example.org/private/voice.m4a?sig=abc"
    harness.messenger.send(harness.chat_id, [
        Text(text=secret_text), Audio(url=audio_url, duration_ms=1000)], key="private")

    assert harness.texts() == [secret_text]
    token = (harness.state.telegram_token if harness.channel is Channel.TELEGRAM
             else harness.state.line_access_token)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (secret_text, audio_url, token):
        assert secret not in logged


# =============================================================================== issue 20
def shown_labels(harness: Harness) -> list[list[str]]:
    """The labels of each bubble with buttons, as the platform (or the fake's render)
    shows them."""
    if isinstance(harness, FakeHarness):
        return harness.fake.button_labels(harness.chat_id)
    return [[label for label, _, _ in s.buttons] for s in harness.shown() if s.buttons]


def test_labels_that_start_alike_are_told_apart(harness: Harness) -> None:
    metformins = [Button(label="Metformin hydrochloride extended-release 500 mg", data="d:1"),
                  Button(label="Metformin hydrochloride immediate-release 850 mg", data="d:2")]
    harness.messenger.send(harness.chat_id, [Text(text="Delete which?", buttons=metformins)],
                           key="labels")

    [labels] = shown_labels(harness)
    assert len(set(labels)) == 2
    limit = 20 if harness.channel is Channel.LINE else 64
    assert all(utf16_len(label) <= limit for label in labels)
    assert "500" in labels[0] and "850" in labels[1]


def test_parts_are_reported_as_they_go_and_a_resumed_send_skips_them(harness: Harness) -> None:
    messages: list[OutMessage] = [Text(text=f"part {i}") for i in range(12)]
    reported: list[tuple[int, list[str]]] = []
    # Planned the same way every time: LINE 3 calls of <= 5, Telegram 12 of 1.
    parts = 3 if harness.channel is Channel.LINE else 12
    first = harness.messenger.send(harness.chat_id, messages, key="resume",
                                   on_part=lambda i, ids: reported.append((i, ids)))
    assert [i for i, _ in reported] == list(range(parts))
    assert [i for _, ids in reported for i in ids] == first

    harness.messenger.send(harness.chat_id, messages, key="resume", start=parts)  # all done
    harness.messenger.send(harness.chat_id, [Text(text="again")], key="other", start=0)
    assert harness.texts() == [f"part {i}" for i in range(12)] + ["again"]


def test_a_failed_part_is_resumed_without_repeating_the_ones_before(harness: Harness) -> None:
    messages: list[OutMessage] = [Text(text=f"line {i}") for i in range(7)]
    if isinstance(harness, FakeHarness):
        harness.fake.fail_next(1, after_parts=1)
    else:
        assert isinstance(harness, RealHarness)
        harness.state.fail_next(1, channel=harness.name, after=1)
    done: list[int] = []
    with pytest.raises(MessengerError):
        harness.messenger.send(harness.chat_id, messages, key="cut",
                               on_part=lambda i, ids: done.append(i))
    assert done == [0]

    harness.messenger.send(harness.chat_id, messages, key="cut", start=len(done))
    assert harness.texts() == [f"line {i}" for i in range(7)]


@REAL
def test_a_rate_limit_carries_the_platforms_wait(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    harness.state.fail_next(1, status=429, retry_after=7)
    with pytest.raises(MessengerError) as caught:
        harness.messenger.send(harness.chat_id, [Text(text="soon")], key="flood")
    assert caught.value.status == 429 and caught.value.retryable
    assert caught.value.retry_after_s == 7


@REAL_TELEGRAM
def test_a_voice_note_carries_its_part_number_as_caption(harness: Harness) -> None:
    assert isinstance(harness, RealHarness)
    harness.messenger.send(harness.chat_id, [
        Audio(url="https://b.example/1.ogg", duration_ms=900, mime="audio/ogg",
              caption="Part 1 of 2")], key="part")
    [entry] = harness.state.bot_entries("telegram", USER)
    assert entry.via == "sendVoice" and entry.text == "Part 1 of 2"
