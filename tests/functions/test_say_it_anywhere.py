"""Issue 12 through the webhooks and the workers (in-memory stack): the intent reader
ahead of the modes, cancel in every prompt, red flags in every mode, the patient's
language, what is not text, and buttons that carry the id of their object."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shared.domain.channels import Channel
from shared.domain.events import InboundEvent
from shared.domain.i18n import t
from shared.domain.messages import Audio, Cards, Leaflet, Text
from shared.fakes.memory_store import MemoryStore
from shared.fakes.scripted_llm import ScriptedModel
from shared.features.medication.service import MedicationService
from shared.plumbing.turns import Turn
from shared.ports import Filter
from tests.functions.test_education import LEAFLET_EN, User, shown
from tests.support import (
    LINE_USER,
    fake_container,
    line_body,
    line_event,
    post_line,
    post_telegram,
    pump,
    serving,
    telegram_update,
)

ALERT_TW = t("zh-TW", "emergency.alert", emergency="119")


@pytest.fixture
def c():
    container = fake_container()
    container.__dict__["llm"] = ScriptedModel()
    with serving(container):
        yield container


@pytest.fixture(params=["line", "telegram"])
def user(request, c) -> User:
    return User(c, request.param)


def medicines(c: Any, user: User) -> list[str]:
    return [str(doc["name"]) for _, doc in c.store.query(
        "medications", [Filter("user_id", "==", user.key)])]


def texts_of(user: User) -> list[str]:
    return [m.text for m in user.messages() if isinstance(m, Text)]


def send_line(c: Any, message: dict[str, Any] | None = None, kind: str = "text") -> None:
    """A LINE event of any kind; `message` replaces a text message's body."""
    event = line_event(kind)
    if message is not None:
        event["message"] = {"id": "9", **message}
    assert post_line(line_body(event)).status_code == 200
    pump(c)


def send_telegram(c: Any, fields: dict[str, Any], language_code: str = "en") -> None:
    update = telegram_update(text=None, language_code=language_code)
    update["message"].pop("text", None)
    update["message"].update(fields)
    assert post_telegram(update).status_code == 200
    pump(c)


# --------------------------------------------------------------------------- the reader
def test_a_medication_command_at_the_menu_is_carried_out(c, user):
    user.say("/start" if user.channel == "line" else "hello")
    user.say("add aspirin 100 mg at 09:00")
    assert user.session["state"] == "medication.zone"  # asked first: which time zone?
    user.say(data="med:tz:UTC")
    assert "aspirin" in user.last_text().lower()
    assert medicines(c, user) == ["aspirin"]


def test_a_typed_command_in_a_translation_conversation_is_asked_about(c, user):
    user.say(data="mode:tr")
    user.say(data="tr:en")
    user.say("I take aspirin 100 mg at 9:00")  # may be said to the clinician
    assert user.last_text() == t(user.lang, "medication.ask_first")
    assert user.last_buttons()[:2] == ["askmed", "asktr"]
    assert c.llm.count() == 0 and medicines(c, user) == []
    c.llm.add_json({"plain": "I take aspirin.", "translation": "我吃阿斯匹靈。"})
    user.say(data="asktr")  # "translate it": one translation of the message set aside
    assert c.llm.count() == 1 and "I take aspirin 100 mg at 9:00" in c.llm.calls[-1].prompt
    assert user.session["state"] == "translation"
    user.say("add metformin 500 mg at 08:00")
    user.say(data="askmed")  # "my medicines": the schedule is asked for a time zone
    assert user.session["state"] == "medication.zone"
    assert c.llm.count() == 1


@pytest.mark.parametrize(("typed", "lang"), [("cancel", "en"), ("отмена", "ru"),
                                             ("取消", "zh-TW"), ("never mind", "en")])
def test_cancel_leaves_every_prompt(c, typed, lang):
    user = User(c, "telegram", {"en": "en", "ru": "ru", "zh-TW": "zh-hant"}[lang])
    user.say("add aspirin 100 mg at 09:00")
    assert user.session["state"] == "medication.zone"
    user.say(typed)
    assert user.last_text() == t(lang, "cancel.done")
    assert user.session["state"] == "medication"  # back in the mode that asked
    c.llm.add_text(LEAFLET_EN)
    user.leaflet()
    user.tap("lfmail")
    user.say(typed)
    assert user.last_text() == t(lang, "cancel.done")
    assert user.session["state"] == "education"
    assert c.mailer.outbox == []  # nothing was sent, nothing reads "not a valid e-mail"


def test_every_global_command_works_in_the_email_prompt(c, user):
    c.llm.add_text(LEAFLET_EN)
    user.leaflet()
    user.tap("lfmail")
    user.say("help")
    assert t(user.lang, "education.email_invalid") not in texts_of(user)
    user.tap("lfmail")
    user.say("menu")
    assert user.session["state"] == "menu"


def test_typed_actions_act_on_the_leaflet_on_screen(c):
    user = User(c, "telegram", "ru")
    c.llm.add_text(LEAFLET_EN)
    user.leaflet()
    user.say("прочитай вслух")  # read aloud: this leaflet, as speech
    assert isinstance(user.messages()[-1], Audio)
    user.say("отправь на почту ivan@example.org")  # e-mail with the address typed in
    assert [m.to for m in c.mailer.outbox] == ["ivan@example.org"]
    user.say("сделай короче")  # a change: one more model call on this leaflet
    assert c.llm.count() == 2 and "сделай короче" in c.llm.calls[-1].prompt


# --------------------------------------------------------------------------- red flags
@pytest.mark.parametrize("setup", ["menu", "medication", "education"])
def test_a_red_flag_puts_the_number_first_in_every_mode(c, setup):
    user = User(c, "line")  # zh-TW: Taiwan's 119
    if setup != "menu":
        user.say(data={"medication": "mode:med", "education": "mode:edu"}[setup])
    c.llm.add_text(LEAFLET_EN)
    before = len(user.messages())
    user.say("我爸爸突然講話不清楚，一邊的手沒力")
    said = [shown(m) for m in user.messages()[before:] if isinstance(m, Text | Leaflet)]
    assert said[0] == ALERT_TW and len(said) >= 2  # then the normal answer


@pytest.mark.parametrize("harmless", ["my chest X-ray appointment is on Monday",
                                      "I need a leaflet about stroke prevention",
                                      "у меня нет боли в груди"])
def test_harmless_mentions_are_no_emergency(c, harmless):
    user = User(c, "telegram")
    user.say(harmless)
    assert not any("112" in text and "⚠️" in text for text in texts_of(user))


def test_the_number_follows_the_region(c):
    ru = User(c, "telegram", "ru")
    ru.say("у меня болит в груди и не могу дышать")
    assert texts_of(ru)[0] == t("ru", "emergency.alert", emergency="112")


def test_the_translation_model_judgement_adds_the_line_the_lexicon_missed(c, user):
    user.say(data="mode:tr")
    user.say(data="tr:en")
    c.llm.add_json({"plain": "My father fell and is not waking up properly.",
                    "translation": "我爸爸跌倒了，叫不太醒。", "emergency": True})
    user.say("my dad fell down and is really hard to wake")
    said = texts_of(user)
    # Chinese <-> English: Taiwan's 119 (the Telegram user's English says nothing).
    assert said[-2] == t(user.lang, "emergency.alert", emergency="119")
    assert "叫不太醒" in said[-1]


def test_a_spoken_red_flag_is_flagged_from_the_transcript(c):
    user = User(c, "line")
    user.say(data="mode:tr")
    user.say(data="tr:en")
    c.llm.add_transcript("我胸口好痛，喘不過氣")
    c.llm.add_json({"plain": "我胸口好痛，喘不過氣。", "translation": "My chest hurts."})
    user.messenger.add_audio("2", b"voice" * 20)
    assert post_line(line_body(line_event("audio"))).status_code == 200
    pump(c)
    said = texts_of(user)
    assert ALERT_TW in said and said.index(ALERT_TW) < len(said) - 1


# --------------------------------------------------------------------------- language
@pytest.mark.parametrize(("profile", "lang"), [("en", "en"), ("ru", "ru"), ("zh-Hant", "zh-TW"),
                                               ("en-GB", "en")])
def test_a_line_user_starts_in_their_profile_language(c, profile, lang):
    c.messengers[Channel.LINE].profile_languages[LINE_USER] = profile
    send_line(c, kind="follow")
    [welcome] = c.messengers[Channel.LINE].messages_to(LINE_USER)
    assert welcome.text == t(lang, "menu.title")


def test_the_apps_own_menu_follows_the_language(c):
    line = c.messengers[Channel.LINE]
    line.profile_languages[LINE_USER] = "en"
    send_line(c, kind="follow")
    assert line.menus == {LINE_USER: "en"}
    user = User(c, "line")
    user.say("по-русски")
    assert line.menus == {LINE_USER: "ru"}
    telegram = User(c, "telegram", "ru")
    telegram.say("/start")
    assert c.messengers[Channel.TELEGRAM].menus == {telegram.chat: "ru"}


def test_a_line_profile_language_medbot_does_not_speak_is_asked(c):
    c.messengers[Channel.LINE].profile_languages[LINE_USER] = "ja"
    send_line(c, kind="follow")
    [question] = c.messengers[Channel.LINE].messages_to(LINE_USER)
    assert t("ru", "language.which") in question.text and t("en", "language.which") in \
        question.text
    assert [b.data for b in question.buttons] == ["lang:zh-TW", "lang:en", "lang:ru"]
    user = User(c, "line")
    user.say(data="lang:ru")
    assert user.lang == "ru"


@pytest.mark.parametrize(("typed", "lang"), [("русский", "ru"), ("English", "en"),
                                             ("中文", "zh-TW"), ("по-русски", "ru")])
def test_a_typed_language_name_switches_the_language(c, typed, lang):
    user = User(c, "telegram", "en" if lang != "en" else "ru")
    user.say(typed)
    assert user.lang == lang
    assert user.last_text().startswith(t(lang, "language.set"))


def test_the_goodbye_after_delete_my_data_is_in_the_users_language(c):
    user = User(c, "telegram", "ru")
    user.say("удалить мои данные")
    user.say(data="del:yes")
    assert user.last_text() == t("ru", "delete.done")
    assert c.store.get(f"users/{user.key}") is None


# --------------------------------------------------------------------------- not text
@pytest.mark.parametrize(("message", "key"), [
    ({"type": "image"}, "media.image"), ({"type": "video"}, "media.other"),
    ({"type": "file", "fileName": "lab.pdf"}, "media.other"),
    ({"type": "sticker", "packageId": "1", "stickerId": "2"}, "media.sticker"),
])
def test_line_messages_that_are_not_text_get_a_useful_answer(c, message, key):
    c.messengers[Channel.LINE].profile_languages[LINE_USER] = "en"
    send_line(c, message)
    answer = c.messengers[Channel.LINE].messages_to(LINE_USER)[-1]
    assert answer.text.startswith(t("en", key)) and answer.buttons


def test_a_telegram_location_is_offered_as_the_time_zone(c):
    user = User(c, "telegram")
    send_telegram(c, {"location": {"latitude": 25.04, "longitude": 121.51}})
    assert user.last_text() == t("en", "media.location_zone", zone="Asia/Taipei")
    assert user.last_buttons()[0] == "med:tz:Asia/Taipei"
    assert c.store.get(f"users/{user.key}").get("timezone") is None  # not before the tap
    user.say(data="med:tz:Asia/Taipei")
    assert c.store.get(f"users/{user.key}")["timezone"] == "Asia/Taipei"
    send_telegram(c, {"location": {"latitude": 0.0, "longitude": -160.0}})  # the Pacific
    assert user.last_text() in (t("en", "media.location_unknown"),
                                t("en", "media.location_zone", zone="Etc/GMT+11"))


def test_telegram_photo_contact_and_caption(c):
    user = User(c, "telegram")
    send_telegram(c, {"photo": [{"file_id": "P", "width": 9, "height": 9}]})
    assert user.last_text() == t("en", "media.image")
    send_telegram(c, {"contact": {"phone_number": "+886", "first_name": "A"}})
    assert user.last_text() == t("en", "media.other")
    send_telegram(c, {"photo": [{"file_id": "P"}], "caption": "menu"})  # read as text
    assert user.last_text() == t("en", "menu.title")


def test_voice_outside_translation_says_where_it_works(c):
    user = User(c, "line")
    user.messenger.add_audio("2", b"voice")
    assert post_line(line_body(line_event("audio"))).status_code == 200
    pump(c)
    assert user.last_text() == t(user.lang, "voice.elsewhere")
    assert "mode:tr" in user.last_buttons()
    assert c.llm.count() == 0


# --------------------------------------------------------------------------- buttons
def test_buttons_act_on_their_own_leaflet(c, user):
    c.llm.add_text("# Diabetes\n\nCheck your sugar.")
    user.leaflet("diabetes")
    first = user.last_data()
    c.llm.add_text("# Influenza\n\nRest.")
    user.say("influenza")
    assert user.last_data() != first
    older_mail = next(d for d in first if d.startswith("lfmail:"))
    user.say(data=older_mail)
    user.say("someone@example.org")
    [mail] = c.mailer.outbox
    assert "Check your sugar." in mail.text and "Rest." not in mail.text
    older_pdf = next(d for d in first if d.startswith("lfpdf:"))
    user.say(data=older_pdf)
    handout = user.messages()[-1]
    assert isinstance(handout, Cards)
    assert all(older_mail.split(":")[1] in card.url for card in handout.cards)


@pytest.mark.parametrize("data", ["lfmail", "lfmail:../../x", "rt:x", "del:no", "tr:xx",
                                  "med:tz:../../etc", "lang:de", "menu:extra", "x" * 70])
def test_invalid_button_data_is_answered_and_touches_nothing(c, user, data):
    user.say(data=data)  # the webhook answered 200 (checked in say)
    if user.channel == "telegram" and len(data.encode()) > 64:
        # Telegram's callback_data is 1-64 bytes: longer is forged, and intake drops it
        # unanswered (domain/admission.py, issue 13).
        assert user.messages() == []
    else:
        assert user.last_text().startswith(t(user.lang, "button.invalid"))
    assert c.tasks.tasks == [] and c.mailer.outbox == []


def test_the_medication_models_judgement_puts_the_line_first():
    """Where the medication model is called anyway, its emergency field adds the line
    the lexicon did not see (no extra call)."""
    model = ScriptedModel(strict=True)
    service = MedicationService(MemoryStore(), model=lambda: model)
    model.add_json({"kind": "unknown", "items": [], "timezone": None, "emergency": True})
    text = "my mother is acting very strange since her new pills this morning"
    event = InboundEvent(channel=Channel.TELEGRAM, event_id="e", user_id="5", chat_id="5",
                         kind="text", text=text)
    prepared = service.preparers()["medication_command"](event, text)
    turn = Turn(event, {"language": "en", "timezone": "UTC"}, {"state": "medication"}, text,
                datetime(2026, 1, 5, tzinfo=UTC), prepared, emergency="911")
    reply = service.text(turn)
    assert model.count("generate_json") == 1
    assert [m.text for m in reply.messages if isinstance(m, Text)][:1] == [
        t("en", "emergency.alert", emergency="911")]
    model.add_json({"kind": "unknown", "items": [], "timezone": None, "emergency": False})
    prepared = service.preparers()["medication_command"](event, text)
    calm = service.text(Turn(event, {"language": "en", "timezone": "UTC"},
                             {"state": "medication"}, text, datetime(2026, 1, 5, tzinfo=UTC),
                             prepared, emergency="911"))
    assert not any("911" in m.text for m in calm.messages if isinstance(m, Text))


@pytest.mark.parametrize(("target", "number"), [("zh-TW", "119"), ("en", "119"), ("ja", "119"),
                                                ("vi", "115"), ("de", "112")])
def test_in_a_translation_the_number_follows_where_the_patient_is(c, target, number):
    """An English UI without a time zone says nothing about the place; the conversation
    does: the clinician's language, else (English, German...) the patient's own (an
    English UI translating into English speaks Chinese: Taiwan)."""
    user = User(c, "telegram")
    user.say(data="mode:tr")
    user.say(data=f"tr:{target}")
    c.llm.add_json({"plain": "胸口很痛", "translation": "chest pain"})
    user.say("我從昨天開始胸口很痛，現在呼吸很喘")
    assert t("en", "emergency.alert", emergency=number) in texts_of(user)


@pytest.mark.parametrize(("typed", "then"), [("翻譯", ""), ("幫我翻譯成中文", "中文")])
def test_translate_typed_after_a_leaflet_never_offers_its_own_language(c, typed, then):
    """"翻譯" typed under a zh-TW leaflet asks as its button does (ask_leaflet_language):
    every common language but the leaflet's own; asking for its own is answered so."""
    user = User(c, "line")  # zh-TW
    c.llm.add_text(LEAFLET_EN)
    user.leaflet()
    own = c.store.get(f"leaflets/{user.session['leaflet_id']}")["language"]
    assert own == "zh-TW"
    user.say(typed)
    if then:
        assert user.last_text() == t(user.lang, "education.same_language",
                                     target=t(user.lang, "lang.zh-TW"))
    else:
        assert user.last_text() == t(user.lang, "education.translate_ask")
    offered = user.last_buttons()
    assert "lfto:zh-TW" not in offered and {"lfto:en", "lfto:nan"} <= set(offered)
    assert user.session["state"] == "education.translate" and c.llm.count() == 1
