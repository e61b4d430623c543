"""Worker entry points: authentication, routing, idempotency and the conversation."""

from __future__ import annotations

import pytest

from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Leaflet
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
    texts,
)

WORKERS = ["dialog_worker", "generate_worker", "translate_worker", "tts_worker",
           "stt_worker", "email_worker", "remind_worker", "reminder_tick", "taigi_worker"]


@pytest.fixture
def c():
    with serving(fake_container()) as container:
        yield container


def line(c):
    return c.messengers[Channel.LINE]


def telegram(c):
    return c.messengers[Channel.TELEGRAM]


def say_line(c, text=None, data=None):
    event = line_event("postback", data=data) if data else line_event(text=text)
    assert post_line(line_body(event)).status_code == 200
    pump(c)


def say_telegram(c, text=None, data=None, language_code="en"):
    update = telegram_update(text=text, data=data, language_code=language_code)
    assert post_telegram(update).status_code == 200
    pump(c)


@pytest.mark.parametrize("worker", WORKERS)
@pytest.mark.parametrize("header", [None, "Bearer wrong", DEV_TOKEN, "Basic x"])
def test_workers_refuse_callers_without_the_token(c, worker, header):
    headers = {"Authorization": header} if header else {}
    response = client(worker).post("/", json={"id": "x"}, headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize("worker", [w for w in WORKERS if w != "reminder_tick"])
@pytest.mark.parametrize("body", [b"{", b"[]", b'{"no": "id"}', b'{"id": 5}'])
def test_workers_answer_400_to_malformed_tasks(c, worker, body):
    response = client(worker).post("/", data=body, headers={
        "Authorization": f"Bearer {DEV_TOKEN}", "content-type": "application/json"})
    assert response.status_code == 400


def test_new_line_user_gets_the_menu_in_traditional_chinese(c):
    say_line(c, "hi")
    [message] = line(c).messages_to(LINE_USER)
    assert message.text == t("zh-TW", "menu.title")
    assert [b.data for b in message.buttons][:3] == ["mode:edu", "mode:tr", "mode:med"]
    assert c.store.get(f"users/line-{LINE_USER}")["language"] == "zh-TW"


def test_telegram_user_language_comes_from_the_platform(c):
    say_telegram(c, "привет", language_code="ru")
    assert texts(telegram(c), str(TELEGRAM_USER)) == [t("ru", "menu.title")]
    say_telegram(c, "спасибо", language_code="ru")  # later greetings and thanks: shorter
    assert texts(telegram(c), str(TELEGRAM_USER))[-1] == t("ru", "greeting.reply")


def test_language_can_be_changed(c):
    say_telegram(c, "language")
    say_telegram(c, data="lang:ru")
    assert texts(telegram(c), str(TELEGRAM_USER))[-1].startswith(t("ru", "language.set"))
    assert c.store.get(f"users/telegram-{TELEGRAM_USER}")["language"] == "ru"


@pytest.mark.parametrize("channel", ["line", "telegram"])
def test_education_mode_offers_topics_and_writes_a_labelled_leaflet(c, channel):
    say, chat, messenger = ((say_line, LINE_USER, line(c)) if channel == "line"
                            else (say_telegram, str(TELEGRAM_USER), telegram(c)))
    say(c, data="mode:edu")
    intro = messenger.messages_to(chat)[-1]
    topics = [b for b in intro.buttons if b.data.startswith("topic:")]
    assert len(topics) >= 8
    say(c, data=topics[0].data)
    leaflet = messenger.messages_to(chat)[-1]
    lang = c.store.get(f"users/{channel}-{chat}")["language"]
    assert isinstance(leaflet, Leaflet) and leaflet.lead == t(lang, "offline.label")
    assert leaflet.text.split("\n")[0].lower() == topics[0].label.lower()  # the demo's title
    [stored] = c.store.query("leaflets")
    assert stored[1]["user_id"] == f"{channel}-{chat}"


@pytest.mark.parametrize("channel", ["line", "telegram"])
def test_translation_mode_translates_typed_text(c, channel):
    say, chat, messenger = ((say_line, LINE_USER, line(c)) if channel == "line"
                            else (say_telegram, str(TELEGRAM_USER), telegram(c)))
    say(c, data="mode:tr")
    say(c, "Klingon")
    lang = c.store.get(f"users/{channel}-{chat}")["language"]
    assert texts(messenger, chat)[-2] == t(lang, "translation.unknown_language")
    say(c, "English")
    assert c.store.get(f"sessions/{channel}-{chat}")["target_language"] == "en"
    say(c, "我頭痛三天了")
    assert "我頭痛三天了" in texts(messenger, chat)[-1]


def test_help_and_restart_work_in_every_language(c):
    say_telegram(c, data="mode:tr")
    for word in ("help", "說明", "помощь"):
        say_telegram(c, word)
        assert texts(telegram(c), str(TELEGRAM_USER))[-1] == t("en", "help.text", emergency="112")
    for word in ("new", "開始", "новый"):
        say_telegram(c, data="mode:tr")
        say_telegram(c, word)
        assert c.store.get(f"sessions/telegram-{TELEGRAM_USER}")["state"] == "menu"


def test_delete_my_data_erases_every_document_and_file(c):
    key = f"telegram-{TELEGRAM_USER}"
    say_telegram(c, data="mode:edu")
    say_telegram(c, data="topic:flu")
    c.blobs.put(f"audio/{key}/a.m4a", b"x", "audio/mp4")
    c.blobs.put(f"archive/{key}/leaflet.json", b"x", "application/json")
    c.blobs.put("audio/telegram-1/keep.m4a", b"y", "audio/mp4")
    say_telegram(c, "delete my data")
    assert c.store.get(f"users/{key}") is not None  # only asked, nothing deleted yet
    say_telegram(c, data="del:yes")
    assert c.store.get(f"users/{key}") is None
    assert c.store.get(f"sessions/{key}") is None
    assert c.store.query("leaflets") == []
    assert c.blobs.get(f"audio/{key}/a.m4a") is None
    assert c.blobs.get(f"archive/{key}/leaflet.json") is None
    assert c.blobs.get("audio/telegram-1/keep.m4a") == b"y"
    assert texts(telegram(c), str(TELEGRAM_USER))[-1] == t("en", "delete.done")


def test_too_long_and_empty_messages_get_a_clear_reply(c):
    say_telegram(c, "x" * 5000)
    assert "5000" in texts(telegram(c), str(TELEGRAM_USER))[-1]
    say_telegram(c, "   ")
    assert texts(telegram(c), str(TELEGRAM_USER))[-1].startswith(t("en", "empty"))


def test_a_dialog_task_delivered_twice_answers_once(c):
    post_telegram(telegram_update("hi"))
    [task] = c.tasks.tasks
    for _ in range(3):
        response = client("dialog_worker").post("/", json=task.payload, headers={
            "Authorization": f"Bearer {DEV_TOKEN}"})
        assert response.status_code == 200
    assert len(telegram(c).messages_to(str(TELEGRAM_USER))) == 1


def test_telegram_button_taps_are_acknowledged(c):
    say_telegram(c, data="mode:edu")
    assert len(telegram(c).acks) == 1


def test_unknown_button_and_text_in_menu_get_the_menu(c):
    say_telegram(c, data="bogus:thing")  # not a button MedBot sends: no longer valid
    assert texts(telegram(c), str(TELEGRAM_USER))[-1].startswith(t("en", "button.invalid"))
