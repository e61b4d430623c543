"""Voice in, end to end on the emulators: a LINE audio message / Telegram voice in
translation mode -> webhook -> Firestore + Cloud Tasks emulator -> stt_worker, which
downloads the audio from the platform (real SDKs), transcribes it and translates it
with the real GeminiModel on the local Gemini-protocol server."""

from __future__ import annotations

import pytest

from infra.local.gemini_server import GeminiServer
from shared.adapters.gemini import GeminiModel
from shared.domain.i18n import t
from shared.settings import Settings

pytestmark = pytest.mark.emulator

DEFAULTS = Settings()  # the models a new deployment gets


@pytest.mark.parametrize(("channel", "user", "mime"), [("line", "zh-TW", "audio/x-m4a"),
                                                       ("telegram", "en", "audio/ogg")])
def test_a_voice_message_is_transcribed_and_translated(stack, gemini_server: GeminiServer,
                                                       channel, user, mime):
    stack.container.__dict__["llm"] = GeminiModel(
        "local-test-key", model=DEFAULTS.gemini_model, tts_model=DEFAULTS.gemini_tts_model,
        base_url=gemini_server.url, timeout_s=5, attempts=2)
    gemini_server.script_transcript("我頭痛三天了")
    gemini_server.script_json({"plain": "我頭痛已經三天了。",
                               "translation": "I have had a headache for three days."})
    lang = "zh-TW" if channel == "line" else "en"

    stack.state.send_text(channel, user, "menu")  # Telegram taps need a bot message
    stack.wait_for(lambda: t(lang, "menu.title") in stack.bot_texts(channel, user))
    stack.state.tap(channel, user, "mode:tr")
    stack.wait_for(lambda: t(lang, "translation.intro") in stack.bot_texts(channel, user))
    stack.state.tap(channel, user, "tr:en")
    # The source defaults to the UI language (zh-TW), or zh-TW when that is the target.
    ready = t(lang, "translation.ready", target=t(lang, "lang.en"),
              source=t(lang, "lang.zh-TW"))
    stack.wait_for(lambda: ready in stack.bot_texts(channel, user))
    audio = b"\x1aE\xdf\xa3" + bytes(range(256)) * 8  # opaque bytes: never decoded here
    assert stack.state.send_audio(channel, user, audio, mime=mime).status == 200

    heard = t(lang, "translation.heard", transcript="我頭痛三天了")
    stack.wait_for(lambda: heard in stack.bot_texts(channel, user), timeout=60)
    translation = stack.wait_for(lambda: [x for x in stack.bot_texts(channel, user)
                                          if "I have had a headache for three days." in x])
    assert t(lang, "translation.did_you_mean", plain="我頭痛已經三天了。") in translation[0]

    # Gemini got the audio inline, then the transcript as quoted data for one
    # structured call: two requests in all.
    transcribe, translate = gemini_server.requests
    parts = transcribe.body["contents"][0]["parts"]
    assert any("inlineData" in p or "inline_data" in p for p in parts)
    assert translate.generation_config["responseMimeType"] == "application/json"
    assert '"message": "我頭痛三天了"' in translate.contents_text
