"""The platform stand-ins refuse what LINE and Telegram refuse, and show degraded what
they degrade (shared/fakes/platform_rules.py), both on the local platform server (over
its HTTP API, as any client would call it) and in the flow tests' in-memory messenger.
Issue 20, item 7: each of these was accepted before."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from infra.local.platforms import PlatformState, create_platform_app
from shared.adapters.audio_codec import pcm_to_m4a, pcm_to_ogg_opus
from shared.domain.channels import Channel
from shared.domain.errors import MessengerError
from shared.domain.messages import Audio
from shared.fakes.platform_rules import graphemes
from shared.fakes.recording_messenger import RecordingMessenger

pytestmark = pytest.mark.emulator

PCM = b"\x10\x00\xf0\xff" * 12_000  # 1 s at 24 kHz
OGG = pcm_to_ogg_opus(PCM)
M4A = pcm_to_m4a(PCM)
FILES = {
    "https://files.example/voice.ogg": OGG,
    "https://files.example/voice.m4a": M4A,
    "https://files.example/big.ogg": OGG + b"\0" * 1_000_001,
    "https://files.example/song.mp3": b"ID3" + b"\0" * 100,
}
FAMILY = "👨\u200d👩\u200d👧"  # one character (grapheme), 8 UTF-16 units


@pytest.fixture
def state() -> PlatformState:
    return PlatformState(media=FILES.get)


@pytest.fixture
def api(state: PlatformState) -> FlaskClient:
    return create_platform_app(state).test_client()


def line_push(api: FlaskClient, state: PlatformState, *messages: dict[str, Any]) -> Any:
    return api.post("/v2/bot/message/push", json={
        "to": state.chat_id("line", "en"), "messages": list(messages)},
        headers={"Authorization": f"Bearer {state.line_access_token}"})


def telegram(api: FlaskClient, state: PlatformState, method: str, **params: Any) -> Any:
    body = {"chat_id": state.chat_id("telegram", "en"), **params}
    if "reply_markup" in body:
        body["reply_markup"] = json.dumps(body["reply_markup"])
    return api.post(f"/bot{state.telegram_token}/{method}", data=body)


def keyboard(rows: list[int]) -> dict[str, Any]:
    return {"inline_keyboard": [[{"text": f"b{r}.{i}", "callback_data": f"{r}:{i}"}
                                 for i in range(n)] for r, n in enumerate(rows)]}


def quick(label: str, **action: Any) -> dict[str, Any]:
    return {"type": "text", "text": "Pick", "quickReply": {"items": [
        {"type": "action", "action": {"type": "postback", "label": label, "data": "x",
                                      **action}}]}}


def flex_button(label: str, uri: str = "https://who.int/") -> dict[str, Any]:
    return {"type": "flex", "altText": "Sources", "contents": {"type": "bubble", "body": {
        "type": "box", "layout": "vertical", "contents": [
            {"type": "button", "action": {"type": "uri", "label": label, "uri": uri}}]}}}


# ------------------------------------------------------------------ LINE
def test_line_audio_must_be_https(api: FlaskClient, state: PlatformState) -> None:
    refused = line_push(api, state, {"type": "audio", "duration": 1000,
                                     "originalContentUrl": "http://files.example/voice.m4a"})
    assert refused.status_code == 400
    assert refused.json["details"][0]["property"] == "messages[0].originalContentUrl"
    ok = line_push(api, state, {"type": "audio", "duration": 1000,
                                "originalContentUrl": "https://files.example/voice.m4a"})
    assert ok.status_code == 200


def test_line_audio_that_is_not_m4a_cannot_be_played(
        api: FlaskClient, state: PlatformState) -> None:
    # LINE accepts the URL (it fetches nothing when sending); the app cannot play it.
    for url, playable in (("https://files.example/voice.ogg", False),
                          ("https://files.example/voice.m4a", True),
                          ("https://files.example/song.mp3", True)):
        assert line_push(api, state, {"type": "audio", "duration": 1000,
                                      "originalContentUrl": url}).status_code == 200
        assert state.bot_entries("line", "en")[-1].unplayable is not playable


def test_local_plain_http_origins_stand_for_https(state: PlatformState) -> None:
    local = PlatformState(https_origins=("http://127.0.0.1:8081",))
    api = create_platform_app(local).test_client()
    ok = line_push(api, local, {"type": "audio", "duration": 1000,
                                "originalContentUrl": "http://127.0.0.1:8081/blobs/a.m4a"})
    assert ok.status_code == 200
    other = line_push(api, local, {"type": "audio", "duration": 1000,
                                   "originalContentUrl": "http://127.0.0.1:9999/blobs/a.m4a"})
    assert other.status_code == 400


@pytest.mark.parametrize(("uri", "status"), [
    ("https://who.int/", 200), ("tel:+886212345678", 200), ("line://nv/chat", 200),
    ("http://who.int/", 400), ("javascript:alert(1)", 400), ("ftp://who.int/x", 400)])
def test_line_uri_schemes(api: FlaskClient, state: PlatformState, uri: str, status: int) -> None:
    assert line_push(api, state, quick("Open", type="uri", uri=uri)).status_code == status
    assert line_push(api, state, flex_button("Open", uri)).status_code == status


def test_line_flex_button_labels_up_to_40(api: FlaskClient, state: PlatformState) -> None:
    assert line_push(api, state, flex_button("x" * 40)).status_code == 200
    refused = line_push(api, state, flex_button("x" * 41))
    assert refused.status_code == 400
    assert refused.json["details"][0]["property"].endswith("action.label")


def test_line_quick_reply_labels_count_characters_as_people_see_them(
        api: FlaskClient, state: PlatformState) -> None:
    assert graphemes(FAMILY * 20) == 20
    assert line_push(api, state, quick(FAMILY * 20)).status_code == 200  # 160 UTF-16 units
    assert line_push(api, state, quick("x" * 21)).status_code == 400


# ------------------------------------------------------------------ Telegram
@pytest.mark.parametrize(("rows", "status"), [
    ([8], 200), ([9], 400), ([1] * 100, 200), ([1] * 101, 400), ([8] * 12 + [4], 200),
    ([8] * 12 + [5], 400)])
def test_telegram_keyboards_of_at_most_8_a_row_and_100_buttons(
        api: FlaskClient, state: PlatformState, rows: list[int], status: int) -> None:
    answer = telegram(api, state, "sendMessage", text="Pick", reply_markup=keyboard(rows))
    assert answer.status_code == status
    if status == 400:
        assert answer.json["description"] == "Bad Request: reply markup is too long"


def test_telegram_button_links_are_http_or_tg(api: FlaskClient, state: PlatformState) -> None:
    markup = {"inline_keyboard": [[{"text": "Open", "url": "javascript:alert(1)"}]]}
    assert telegram(api, state, "sendMessage", text="x", reply_markup=markup).status_code == 400
    markup["inline_keyboard"][0][0]["url"] = "https://who.int/"
    assert telegram(api, state, "sendMessage", text="x", reply_markup=markup).status_code == 200


def test_telegram_captions_up_to_1024(api: FlaskClient, state: PlatformState) -> None:
    url = "https://files.example/voice.ogg"
    assert telegram(api, state, "sendVoice", voice=url, caption="c" * 1024).status_code == 200
    refused = telegram(api, state, "sendVoice", voice=url, caption="c" * 1025)
    assert refused.status_code == 400
    assert refused.json["description"] == "Bad Request: message caption is too long"


def test_telegram_voice_notes_must_be_ogg_opus(api: FlaskClient, state: PlatformState) -> None:
    refused = telegram(api, state, "sendVoice", voice="https://files.example/voice.m4a")
    assert refused.status_code == 400
    assert "wrong type" in refused.json["description"]


def test_telegram_voice_notes_over_1_mb_arrive_as_files(
        api: FlaskClient, state: PlatformState) -> None:
    small = telegram(api, state, "sendVoice", voice="https://files.example/voice.ogg")
    big = telegram(api, state, "sendVoice", voice="https://files.example/big.ogg")
    assert small.status_code == big.status_code == 200
    assert "voice" in small.json["result"] and "voice" not in big.json["result"]
    assert "document" in big.json["result"]
    entries = state.bot_entries("telegram", "en")
    assert [e.as_file for e in entries] == [False, True]


def test_telegram_shows_at_most_100_entities(api: FlaskClient, state: PlatformState) -> None:
    links = "\n".join(f'<a href="https://x.example/{i}">{i}</a>' for i in range(101))
    assert telegram(api, state, "sendMessage", text=links, parse_mode="HTML").status_code == 200
    [entry] = state.bot_entries("telegram", "en")
    linked = [s for s in entry.segments if s["url"]]
    assert len(linked) == 100  # the 101st shows as plain text, as on Telegram


# ------------------------------------------------------------------ the flow tests' messenger
def test_the_flow_messenger_refuses_what_the_platforms_refuse() -> None:
    line = RecordingMessenger(Channel.LINE, media=FILES.get)
    with pytest.raises(MessengerError) as caught:
        line.send("U" + "a" * 32, [Audio(url="http://files.example/voice.m4a",
                                         duration_ms=1000)], key="k")
    assert caught.value.status == 400 and not caught.value.retryable
    with pytest.raises(MessengerError, match="degrade"):  # LINE could not play it
        line.send("U" + "a" * 32, [Audio(url="https://files.example/voice.ogg",
                                         duration_ms=1000)], key="k2")
    line.send("U" + "a" * 32, [Audio(url="https://files.example/voice.m4a",
                                     duration_ms=1000)], key="k3")

    tg = RecordingMessenger(Channel.TELEGRAM, media=FILES.get)
    with pytest.raises(MessengerError, match="1 MB"):
        tg.send("1", [Audio(url="https://files.example/big.ogg", duration_ms=1000,
                            mime="audio/ogg")], key="v")
    tg.send("1", [Audio(url="https://files.example/voice.ogg", duration_ms=1000,
                        mime="audio/ogg", caption="c" * 1100)], key="ok")  # cut to 1024
    assert len(tg.messages_to("1")) == 1
