"""Every text that names an emergency number takes it from one rule (the user's time
zone, else UI language, else EMERGENCY_NUMBER_DEFAULT), through the real entry points."""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain.channels import Channel
from shared.fakes.scripted_llm import ScriptedModel
from tests.support import (
    LINE_USER,
    TELEGRAM_USER,
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
from tests.support import test_settings as settings_for

TG_KEY = f"telegram-{TELEGRAM_USER}"
HEADACHE = {"plain": "I have had a headache for three days.",
            "translation": "我頭痛已經三天了。"}


def _stack(**settings: Any) -> Any:
    c = fake_container(settings_for(**settings))
    c.__dict__["llm"] = ScriptedModel()
    return c


def _script(c: Any) -> ScriptedModel:
    model = c.llm
    assert isinstance(model, ScriptedModel)
    return model


def tg(c: Any, text: str | None = None, data: str | None = None, language: str = "en") -> str:
    assert post_telegram(telegram_update(text=text, data=data,
                                         language_code=language)).status_code == 200
    pump(c)
    return texts(c.messengers[Channel.TELEGRAM], str(TELEGRAM_USER))[-1]


def _in_zone(c: Any, key: str, zone: str) -> None:
    c.store.set(f"users/{key}", {"timezone": zone}, merge=True)


@pytest.mark.parametrize(("language", "zone", "phrase"), [
    ("en", None, "In an emergency, call 112."),
    ("en", "Asia/Taipei", "In an emergency, call 119."),
    ("en", "America/Chicago", "In an emergency, call 911."),
    ("ru", None, "В экстренной ситуации звоните 112."),
    ("ru", "America/New_York", "В экстренной ситуации звоните 911."),
])
def test_help_names_the_number_of_the_users_region(language, zone, phrase):
    with serving(_stack()) as c:
        tg(c, "hello", language=language)
        if zone:
            _in_zone(c, TG_KEY, zone)
        assert phrase in tg(c, "help", language=language)


def test_the_setting_answers_when_nothing_tells_the_region():
    with serving(_stack(emergency_number_default="911")) as c:
        assert "In an emergency, call 911." in tg(c, "help")
        _in_zone(c, TG_KEY, "Europe/Madrid")
        assert "In an emergency, call 112." in tg(c, "help")


def test_line_users_in_taiwan_hear_119_in_help_and_translation():
    with serving(_stack()) as c:
        _script(c).add_json(HEADACHE)

        def say(text: str | None = None, data: str | None = None) -> None:
            event = line_event("postback", data=data) if data else line_event(text=text or "")
            assert post_line(line_body(event)).status_code == 200
            pump(c)

        say(data="help")
        said = texts(c.messengers[Channel.LINE], LINE_USER)
        assert "緊急狀況請撥打 119。" in said[-1]
        say(data="mode:tr")
        say(data="tr:en")
        say("我頭痛三天了")
        said = texts(c.messengers[Channel.LINE], LINE_USER)
        assert any("緊急狀況請撥打 119。" in x for x in said[-2:])


def test_worker_texts_use_the_number_the_dialog_put_on_the_job():
    with serving(_stack()) as c:
        tg(c, "hello", language="ru")
        _in_zone(c, TG_KEY, "America/New_York")
        _script(c).add_json(HEADACHE)
        tg(c, data="mode:tr", language="ru")
        tg(c, data="tr:zh-TW", language="ru")
        tg(c, "У меня три дня болит голова", language="ru")
        said = texts(c.messengers[Channel.TELEGRAM], str(TELEGRAM_USER))
        assert any("В экстренной ситуации звоните 911." in x for x in said[-2:])
        assert not any("112" in x for x in said)
