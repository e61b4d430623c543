"""Medical translation chat through the real entry points, on in-memory fakes:
plain rewrite + translation with buttons, switching direction, the disclaimer once per
conversation, voice messages, and Taiwanese speech via (fake) NYCU iVoice."""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Audio, Text
from shared.fakes.scripted_llm import ScriptedModel
from shared.fakes.taigi_fake import FakeTaigi
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
)
from tests.support import test_settings as settings_for

HEADACHE = {"plain": "我頭痛已經三天了。", "translation": "I have had a headache for three days."}


class SpyTaigi(FakeTaigi):
    """FakeTaigi that also keeps what it was asked to speak (tests only)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def romanize(self, text: str) -> str:
        self.texts.append(text)
        return super().romanize(text)


class Chat:
    """One user on one channel, talking to the bot through the webhooks."""

    def __init__(self, c: Any, channel: str) -> None:
        self.c, self.channel = c, channel
        self.chat = LINE_USER if channel == "line" else str(TELEGRAM_USER)
        self.key = f"{channel}-{self.chat}"
        self.messenger = c.messengers[Channel(channel)]

    def say(self, text: str | None = None, data: str | None = None) -> None:
        if self.channel == "line":
            event = line_event("postback", data=data) if data else line_event(text=text or "")
            assert post_line(line_body(event)).status_code == 200
        else:
            assert post_telegram(telegram_update(text=text, data=data)).status_code == 200
        pump(self.c)

    def voice(self, audio: bytes) -> None:
        if self.channel == "line":
            event = line_event("audio")  # message id "2"
            self.messenger.add_audio("2", audio)
            assert post_line(line_body(event)).status_code == 200
        else:
            self.messenger.add_audio("voice-1", audio)
            update = {"update_id": int(time.time() * 1000) % 10**9, "message": {
                "message_id": 5, "date": int(time.time()),
                "chat": {"id": TELEGRAM_USER, "type": "private"},
                "from": {"id": TELEGRAM_USER, "is_bot": False, "first_name": "T",
                         "language_code": "en"},
                "voice": {"file_id": "voice-1", "file_size": len(audio), "duration": 2}}}
            assert post_telegram(update).status_code == 200
        pump(self.c)

    @property
    def lang(self) -> str:
        return str(self.c.store.get(f"users/{self.key}")["language"])

    @property
    def session(self) -> dict[str, Any]:
        return dict(self.c.store.get(f"sessions/{self.key}"))

    def messages(self) -> list[Any]:
        return list(self.messenger.messages_to(self.chat))

    def last(self) -> Any:
        return self.messages()[-1]

    def start(self, target: str = "en") -> None:
        self.say(data="mode:tr")
        self.say(data=f"tr:{target}")


def telegram_sends(c: Any) -> list[Any]:
    return [m for m in c.messengers[Channel.TELEGRAM].messages_to(str(TELEGRAM_USER))
            if isinstance(m, Text) and "我頭殼疼。" in m.text]


def _container(**settings: Any) -> tuple[Any, ScriptedModel, SpyTaigi]:
    c = fake_container(settings_for(**settings))
    model, taigi = ScriptedModel(), SpyTaigi()
    c.__dict__["llm"] = model
    c.__dict__["taigi_speech"] = taigi
    return c, model, taigi


@pytest.fixture
def env():
    c, model, taigi = _container()
    with serving(c):
        yield c, model, taigi


@pytest.fixture(params=["line", "telegram"])
def chat(request, env) -> Chat:
    return Chat(env[0], request.param)


def _model(chat: Chat) -> ScriptedModel:
    model = chat.c.llm
    assert isinstance(model, ScriptedModel)
    return model


def test_chinese_becomes_did_you_mean_plus_machine_translation_with_buttons(chat):
    chat.start("en")
    assert chat.session["state"] == "translation"
    _model(chat).add_json(HEADACHE)
    chat.say("我頭痛三天了")

    reply = chat.last()
    lang = chat.lang
    assert reply.text.startswith(t(lang, "translation.did_you_mean", plain=HEADACHE["plain"]))
    assert t(lang, "translation.machine") in reply.text
    assert reply.text.count(HEADACHE["translation"]) == 1
    # The translation is stored for the Read aloud button (which names it), owned by
    # the user.
    translation_id = chat.session["translation_id"]
    assert [b.data for b in reply.buttons] == [f"tts:translation:{translation_id}", "tcont",
                                               "tswap", "tnew", "menu"]
    stored = chat.c.store.get(f"translations/{translation_id}")
    assert stored["user_id"] == chat.key
    assert stored["translation"] == HEADACHE["translation"]
    assert stored["target"] == "en"
    # One model call, and the user's words travel only as quoted data.
    [call] = _model(chat).calls
    assert call.method == "generate_json"
    assert '"message": "我頭痛三天了"' in call.prompt
    assert "English" in call.system


def test_the_disclaimer_is_shown_once_per_conversation(chat):
    chat.start("en")
    for _ in range(3):
        _model(chat).add_json(HEADACHE)
        chat.say("我頭痛三天了")
    lang = chat.lang
    # A conversation between Chinese (Taiwan) and English: Taiwan's 119 on both channels
    # (domain/emergency.py: the place's language, here the patient's own).
    disclaimer = t(lang, "translation.disclaimer", emergency="119")
    translations = [m.text for m in chat.messages() if isinstance(m, Text)
                    and m.text.startswith(t(lang, "translation.did_you_mean", plain=""))]
    assert [disclaimer in text for text in translations] == [True, False, False]

    chat.say(data="tnew")  # a new conversation shows it again
    assert chat.session["state"] == "translation.language"
    chat.say(data="tr:ja")
    _model(chat).add_json(HEADACHE)
    chat.say("我頭痛三天了")
    # Talking with a Japanese-speaking clinician: the patient is most likely in Japan,
    # whose number is also 119 (domain/emergency.py, the place's language).
    assert t(lang, "translation.disclaimer", emergency="119") in chat.last().text


def test_switch_direction_translates_the_answer_back_into_the_source_language(chat):
    chat.start("ja")
    source = chat.session["source_language"]
    assert source == chat.lang  # defaults to the user's UI language
    _model(chat).add_json({"plain": "I feel dizzy.", "translation": "めまいがします。"})
    chat.say("I feel dizzy")

    chat.say(data="tswap")
    assert chat.session["state"] == "translation.reply"
    assert chat.last().text == t(chat.lang, "translation.switched_reply",
                                 spoken=t(chat.lang, "lang.ja"),
                                 target=t(chat.lang, f"lang.{source}"))
    _model(chat).add_json({"plain": "いつからですか。", "translation": "Since when?"})
    chat.say("いつからですか")
    stored = chat.c.store.get(f"translations/{chat.session['translation_id']}")
    assert (stored["source"], stored["target"]) == ("ja", source)

    chat.say(data="tswap")  # and back
    assert chat.session["state"] == "translation"
    _model(chat).add_json(HEADACHE)
    chat.say("我頭痛三天了")
    stored = chat.c.store.get(f"translations/{chat.session['translation_id']}")
    assert (stored["source"], stored["target"]) == (source, "ja")
    systems = [c.system for c in _model(chat).calls]
    assert "Japanese" in systems[0]
    assert "Japanese" not in systems[1]
    assert "Japanese" in systems[2]


def test_continue_keeps_the_conversation_going(chat):
    chat.start("en")
    _model(chat).add_json(HEADACHE)
    chat.say("我頭痛三天了")
    chat.say(data="tcont")
    assert chat.session["state"] == "translation"
    assert chat.last().text == t(chat.lang, "translation.continue",
                                 spoken=t(chat.lang, f"lang.{chat.session['source_language']}"),
                                 target=t(chat.lang, "lang.en"))


def test_one_model_call_per_translated_message(chat):
    chat.start("vi")
    for i in range(4):
        _model(chat).add_json({"plain": f"p{i}", "translation": f"v{i}"})
        chat.say(f"message {i}")
    assert _model(chat).count("generate_json") == 4
    assert _model(chat).count() == 4


def test_a_voice_message_is_transcribed_shown_and_translated(chat):
    chat.start("en")
    model = _model(chat)
    model.add_transcript("我頭痛三天了")
    model.add_json(HEADACHE)
    chat.voice(b"\x00fake-voice-bytes" * 50)

    heard, translation = chat.messages()[-2:]
    assert heard.text == t(chat.lang, "translation.heard", transcript="我頭痛三天了")
    assert HEADACHE["translation"] in translation.text
    assert f"tts:translation:{chat.session['translation_id']}" in [
        b.data for b in translation.buttons]
    transcribe, translate = model.calls
    assert transcribe.method == "transcribe"
    assert transcribe.prompt == ("audio/mp4" if chat.channel == "line" else "audio/ogg")
    assert transcribe.audio_bytes == len(b"\x00fake-voice-bytes" * 50)
    assert '"message": "我頭痛三天了"' in translate.prompt
    # The audio is not kept anywhere (only the translation's archive copy is stored).
    assert [k for k in chat.c.blobs._objects if not k.startswith("archive/")] == []
    assert chat.c.store.get(f"translations/{chat.session['translation_id']}")["voice"] is True


def test_a_voice_message_outside_translation_mode_is_not_transcribed(chat):
    chat.voice(b"voice")
    assert chat.last().text == t(chat.lang, "voice.elsewhere")  # and where it works
    assert _model(chat).calls == []


def test_too_large_voice_message_gets_a_clear_message_without_a_model_call():
    c, model, _ = _container(max_audio_bytes=1024 * 1024)
    with serving(c):
        chat = Chat(c, "line")
        chat.start("en")
        chat.voice(b"x" * (1024 * 1024 + 1))
        assert chat.last().text == t(chat.lang, "translation.voice_too_large", limit_mb=1)
        assert model.calls == []


@pytest.mark.parametrize("channel", ["line", "telegram"])
def test_voice_without_a_gemini_key_says_it_is_not_available_offline(channel):
    c = fake_container()
    c.__dict__["llm"] = ScriptedModel(offline=True)
    with serving(c):
        chat = Chat(c, channel)
        chat.start("en")
        chat.voice(b"voice")
        assert chat.last().text == t(chat.lang, "translation.voice_offline")
        assert _model(chat).calls == []


@pytest.mark.parametrize("channel,mime", [("line", "audio/mp4"), ("telegram", "audio/ogg")])
def test_taigi_gets_tlpa_text_audio_and_the_nycu_credit(env, channel, mime):
    c, model, taigi = env
    chat = Chat(c, channel)
    chat.start("nan")
    model.add_json({"plain": "我頭痛三天了。", "translation": "我頭殼疼三工矣。"})
    chat.say("我頭痛三天")

    messages = chat.messages()
    index, translation = next((i, m) for i, m in enumerate(messages)
                              if isinstance(m, Text) and "我頭殼疼三工矣。" in m.text)
    note = messages[index + 1]
    assert isinstance(note, Text)
    # The note that speech is coming: Telegram deletes it once the speech is out; LINE
    # can delete nothing, so there it says what stays true, under the quick replies,
    # and LINE's loading animation shows while iVoice works.
    if channel == "telegram":
        assert note.text == t(chat.lang, "taigi.coming") and note.buttons == []
        assert note not in chat.messenger.visible_to(chat.chat)
        assert translation in chat.messenger.visible_to(chat.chat)
        assert not [b for b in translation.buttons if b.data.startswith("tts:")]  # iVoice speaks
    else:
        assert note.text == t(chat.lang, "taigi.follows") and translation.buttons == []
        assert not [b for b in note.buttons if b.data.startswith("tts:")]
        assert chat.messenger.retractions == []
        assert (chat.chat, 60) in chat.messenger.loading
    tlpa_text, audio = messages[-2:]
    assert isinstance(tlpa_text, Text) and isinstance(audio, Audio)
    assert audio.title == t(chat.lang, "taigi.title")  # Telegram: its caption
    assert tlpa_text.text.startswith(t(chat.lang, "taigi.offline"))  # the fake says so
    assert "gua2 thau5" in tlpa_text.text
    assert t(chat.lang, "taigi.credit") in tlpa_text.text
    assert audio.mime == mime and audio.duration_ms > 0
    assert [b.data for b in audio.buttons][-1] == "menu"  # buttons on the last message
    # iVoice reads Chinese: it got the plain Mandarin rewrite when the patient speaks
    # Mandarin (LINE: zh-TW), else the Taigi translation in Han characters (English UI).
    assert taigi.texts == ["我頭痛三天了。" if channel == "line" else "我頭殼疼三工矣。"]
    assert taigi.calls == ["romanize", "synthesize"]
    [key] = [k for k in c.blobs._objects if k.startswith("audio/")]
    assert key.startswith(f"audio/{chat.key}/taigi-")
    stored = c.store.get(f"translations/{chat.session['translation_id']}")
    assert stored["tlpa"].startswith("gua2")
    assert model.count() == 1  # iVoice is not an LLM call


def test_ivoice_down_gives_a_clear_message_and_translation_goes_on(env):
    c, model, taigi = env
    chat = Chat(c, "telegram")
    chat.start("nan")
    taigi.fail_next(1)
    model.add_json({"plain": "我發燒。", "translation": "我發燒。"})
    chat.say("我發燒")
    assert chat.last().text == t("en", "taigi.unavailable")
    coming = [m for m in chat.messages() if isinstance(m, Text)
              and m.text == t("en", "taigi.coming")]
    assert coming and not [m for m in chat.messenger.visible_to(chat.chat) if m in coming]
    assert [b.data for b in chat.last().buttons][:2] == ["tcont", "tswap"]

    model.add_json({"plain": "我咳嗽。", "translation": "我咳嗽。"})
    chat.say("我咳嗽")
    texts = [m.text for m in chat.messages() if isinstance(m, Text)]
    assert any("我咳嗽。" in text for text in texts)
    assert isinstance(chat.last(), Audio)


def test_translation_task_delivered_twice_answers_and_enqueues_once(env):
    c, model, _ = env
    chat = Chat(c, "telegram")
    chat.start("nan")
    model.add_json({"plain": "My head hurts.", "translation": "我頭殼疼。"})
    assert post_telegram(telegram_update("my head hurts")).status_code == 200
    pump(c, rounds=1)  # the dialog turn only: the translate task is queued
    [task] = c.tasks.tasks
    for _ in range(3):
        response = client("translate_worker").post(
            "/", json=task.payload, headers={"Authorization": f"Bearer {DEV_TOKEN}"})
        assert response.status_code == 200
    assert model.count() == 1
    taigi_tasks = [x for x in c.tasks.tasks if x.queue == "taigi"]
    assert len(taigi_tasks) == 1
    assert taigi_tasks[0].payload["text"] == "我頭殼疼。"
    assert len(telegram_sends(c)) == 1


class LongTaigi(SpyTaigi):
    """iVoice answering with eight minutes of speech-like sound (noise in bursts)."""

    def synthesize(self, tlpa: str) -> bytes:
        import io
        import random
        import wave

        rate, noise = 16_000, random.Random(7)
        burst = bytes(noise.getrandbits(8) for _ in range(rate // 2 * 2))  # 0.5 s
        pause = b"\x00\x00" * (rate // 10)  # 0.1 s
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes((burst + pause) * int(480 / 0.6))
        return buffer.getvalue()


def test_long_taigi_speech_reaches_telegram_as_voice_notes_of_at_most_1_mb():
    c, model, _ = _container()
    c.__dict__["taigi_speech"] = LongTaigi()
    with serving(c):
        chat = Chat(c, "telegram")
        chat.start("nan")
        model.add_json({"plain": "我頭痛三天了。", "translation": "我頭殼疼三工矣。"})
        chat.say("我頭痛三天")

        notes = [m for m in chat.messages() if isinstance(m, Audio)]
        assert len(notes) >= 2
        for number, note in enumerate(notes, start=1):
            assert note.mime == "audio/ogg"
            assert note.caption == t(chat.lang, "speech.part", part=number, parts=len(notes))
            data = c.blobs.open_signed_url(note.url)
            assert data is not None and len(data) <= 1_000_000
        assert sum(n.duration_ms for n in notes) > 470_000
        assert [b.data for b in notes[-1].buttons][-1] == "menu"
