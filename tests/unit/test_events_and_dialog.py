"""Normalising platform payloads, reading intents, and the declared state machine."""

from __future__ import annotations

import pytest

from shared.bootstrap import registry
from shared.domain.channels import Channel, user_key
from shared.domain.dialog import ANY, Intent
from shared.domain.events import InboundEvent, normalize_line, normalize_telegram
from shared.domain.signatures import line_signature, valid_line_signature, valid_telegram_secret
from shared.features.education.states import EducationIntent
from tests.support import LINE_USER, line_event, telegram_update

TABLE = registry().dialog  # every registered feature's rows
read_intent, step_for = TABLE.read, TABLE.step


def event(**fields) -> InboundEvent:
    return InboundEvent(channel=Channel.TELEGRAM, event_id="1", user_id="1", chat_id="1",
                        **({"kind": "text"} | fields))


def test_line_text_postback_audio_follow_are_normalised():
    text = normalize_line(line_event(text="hi"))
    assert text is not None and (text.kind, text.text, text.user_id) == ("text", "hi", LINE_USER)
    tap = normalize_line(line_event("postback", data="mode:edu"))
    assert tap is not None and (tap.kind, tap.data) == ("postback", "mode:edu")
    audio = normalize_line(line_event("audio"))
    assert audio is not None and audio.kind == "audio" and audio.media_id == "2"
    follow = normalize_line(line_event("follow"))
    assert follow is not None and follow.kind == "follow"


@pytest.mark.parametrize("source", [
    {"type": "group", "groupId": "C1", "userId": LINE_USER},
    {"type": "user", "userId": "../../etc/passwd"},
    {"type": "user"},
])
def test_line_events_outside_one_to_one_chats_or_with_bad_ids_are_ignored(source):
    raw = line_event(text="hi")
    raw["source"] = source
    assert normalize_line(raw) is None


def test_telegram_message_callback_and_voice_are_normalised():
    msg = normalize_telegram(telegram_update("hi", language_code="ru"))
    assert msg is not None and (msg.kind, msg.text, msg.language_code) == ("text", "hi", "ru")
    tap = normalize_telegram(telegram_update(data="help"))
    assert tap is not None and (tap.kind, tap.data, tap.callback_id) == ("postback", "help",
                                                                         tap.event_id)
    update = telegram_update("x")
    update["message"]["voice"] = {"file_id": "F", "file_size": 10, "duration": 3}
    voice = normalize_telegram(update)
    assert voice is not None and voice.kind == "audio" and voice.media_duration_ms == 3000


def test_telegram_group_chats_are_ignored():
    update = telegram_update("hi")
    update["message"]["chat"]["type"] = "group"
    assert normalize_telegram(update) is None


def test_user_keys_cannot_escape_a_prefix():
    assert user_key(Channel.LINE, LINE_USER) == f"line-{LINE_USER}"
    for bad in ("../x", "U" + "g" * 32, "", "1/2"):
        with pytest.raises(ValueError):
            user_key(Channel.LINE, bad)
    with pytest.raises(ValueError):
        user_key(Channel.TELEGRAM, "12a")


def test_signatures_are_checked_in_constant_time_and_refuse_empty_secrets():
    body = b'{"events": []}'
    assert valid_line_signature(body, line_signature(body, "s"), "s")
    assert not valid_line_signature(body, line_signature(body, "s"), "")
    assert not valid_line_signature(body + b" ", line_signature(body, "s"), "s")
    assert not valid_line_signature(body, None, "s")
    assert valid_telegram_secret("abc", "abc")
    assert not valid_telegram_secret("abc", "")
    assert not valid_telegram_secret(None, "abc")


@pytest.mark.parametrize(("text", "intent"), [
    ("help", Intent.HELP), ("  HELP ", Intent.HELP), ("說明", Intent.HELP),
    ("помощь", Intent.HELP), ("新的", Intent.TEXT), ("開始", Intent.START),
    ("новый", Intent.START), ("/start", Intent.START), ("delete my data", Intent.DELETE_ASK),
    ("刪除我的資料", Intent.DELETE_ASK), ("удалить мои данные", Intent.DELETE_ASK),
    ("I have a headache", Intent.TEXT), ("", Intent.EMPTY), ("   ", Intent.EMPTY),
])
def test_typed_commands_are_read_in_every_language(text, intent):
    assert read_intent(event(text=text))[0] is intent


@pytest.mark.parametrize(("data", "intent", "argument"), [
    ("mode:edu", EducationIntent.MODE, ""), ("lang:ru", Intent.LANGUAGE_SET, "ru"),
    ("topic:flu", EducationIntent.TOPIC, "flu"), ("whatever:1", Intent.UNKNOWN_BUTTON, "1"),
    ("", Intent.UNKNOWN_BUTTON, ""),
])
def test_button_data_is_read_as_verb_and_argument(data, intent, argument):
    assert read_intent(event(kind="postback", data=data)) == (intent, argument)


def test_every_intent_has_a_transition_from_any_state():
    assert set(Intent) <= TABLE.intents
    for intent in TABLE.intents:
        for state in [ANY, *TABLE.states]:
            assert step_for(state, intent).handler


def test_state_rows_only_name_real_states():
    assert {s for s, _ in TABLE.rows} <= {ANY, *TABLE.states}
