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


# The strict button grammar (domain/buttons.py): the handler's argument is the data
# after the first colon; data no kind reads exactly is an unknown (stale) button.
@pytest.mark.parametrize(("data", "intent", "argument"), [
    ("mode:edu", EducationIntent.MODE, "edu"), ("lang:ru", Intent.LANGUAGE_SET, "ru"),
    ("topic:flu", EducationIntent.TOPIC, "flu"), ("whatever:1", Intent.UNKNOWN_BUTTON, ""),
    ("", Intent.UNKNOWN_BUTTON, ""), ("lang:de", Intent.UNKNOWN_BUTTON, ""),
    ("del:no", Intent.UNKNOWN_BUTTON, ""), ("lfmail", Intent.UNKNOWN_BUTTON, ""),
    ("lfmail:" + "a" * 40, "leaflet.email", "a" * 40),
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


# ---------------------------------------------------------------- what is not text (issue 12)
@pytest.mark.parametrize(("mtype", "attachment"), [
    ("image", "image"), ("video", "video"), ("file", "file"), ("sticker", "sticker"),
])
def test_line_messages_that_are_not_text_say_what_came(mtype, attachment):
    raw = line_event(text="")
    raw["message"] = {"type": mtype, "id": "3"}
    found = normalize_line(raw)
    assert found is not None and (found.kind, found.text, found.attachment) == (
        "text", "", attachment)


def test_a_line_location_carries_its_coordinates_and_absurd_ones_are_dropped():
    raw = line_event(text="")
    raw["message"] = {"type": "location", "id": "4", "latitude": 25.03, "longitude": 121.56}
    found = normalize_line(raw)
    assert found is not None and found.attachment == "location"
    assert (found.latitude, found.longitude) == (25.03, 121.56)
    raw["message"]["latitude"] = 1e308 * 10  # inf
    found = normalize_line(raw)
    assert found is not None and found.attachment == "location" and found.latitude is None


@pytest.mark.parametrize(("field", "value", "attachment"), [
    ("photo", [{"file_id": "P", "width": 90, "height": 90}], "image"),
    ("document", {"file_id": "D", "file_name": "x.pdf"}, "file"),
    ("sticker", {"file_id": "S", "emoji": "👍"}, "sticker"),
    ("video", {"file_id": "V", "duration": 2}, "video"),
    ("contact", {"phone_number": "+886", "first_name": "A"}, "contact"),
])
def test_telegram_messages_that_are_not_text_say_what_came(field, value, attachment):
    update = telegram_update("x")
    del update["message"]["text"]
    update["message"][field] = value
    found = normalize_telegram(update)
    assert found is not None and (found.kind, found.text, found.attachment) == (
        "text", "", attachment)


def test_a_caption_is_read_as_the_text():
    update = telegram_update("x")
    del update["message"]["text"]
    update["message"]["photo"] = [{"file_id": "P"}]
    update["message"]["caption"] = "what is this rash?"
    found = normalize_telegram(update)
    assert found is not None and (found.text, found.attachment) == ("what is this rash?",
                                                                   "image")


def test_a_telegram_location_and_venue_carry_coordinates():
    update = telegram_update("x")
    del update["message"]["text"]
    update["message"]["location"] = {"latitude": 55.75, "longitude": 37.62}
    found = normalize_telegram(update)
    assert found is not None and (found.latitude, found.longitude) == (55.75, 37.62)
    update["message"]["venue"] = {"location": {"latitude": 1.0, "longitude": 2.0}, "title": "X"}
    del update["message"]["location"]
    found = normalize_telegram(update)
    assert found is not None and found.attachment == "location"
    assert (found.latitude, found.longitude) == (1.0, 2.0)


@pytest.mark.parametrize(("text", "payload"), [
    ("/start", None), ("/start@medbot_local_bot", None), ("/start invite_AbC-9", "invite_AbC-9"),
    ("/start@medbot_local_bot invite_x", "invite_x"), ("/start bad!payload", None),
])
def test_telegram_start_is_a_follow_with_its_deep_link_payload(text, payload):
    found = normalize_telegram(telegram_update(text))
    assert found is not None and (found.kind, found.data) == ("follow", payload)


def test_a_start_inside_a_sentence_is_text():
    found = normalize_telegram(telegram_update("/starter pack"))
    assert found is not None and found.kind == "text"
