"""Read aloud through the real entry points (webhook -> dialog_worker -> tts_worker) on
fakes, with the real offline voice (espeak-ng) and the real encoder (PyAV)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import av
import pytest

from shared.adapters.espeak_speaker import EspeakSpeaker
from shared.adapters.model_speaker import ModelSpeaker
from shared.bootstrap import Container
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Audio, Text
from shared.features.speech.read_aloud import read_aloud_button, read_aloud_data
from shared.jobs import Job
from shared.ports import LlmError, Speech
from shared.wire.line import render_messages
from shared.wire.telegram import render_calls
from tests.support import (
    DEV_TOKEN,
    LINE_USER,
    TELEGRAM_USER,
    client,
    fake_container,
    line_body,
    line_event,
    newest_button,
    post_line,
    post_telegram,
    pump,
    serving,
    telegram_update,
)
from tests.support import (
    test_settings as settings_for,
)

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is installed by scripts/install.sh")

LINE_KEY = f"line-{LINE_USER}"
TG_KEY = f"telegram-{TELEGRAM_USER}"
TG_CHAT = str(TELEGRAM_USER)
OTHER_KEY = "line-U" + "f" * 32


@pytest.fixture
def c():
    with serving(fake_container()) as container:
        yield container


def say_line(c, text=None, data=None):
    event = line_event("postback", data=data) if data else line_event(text=text)
    assert post_line(line_body(event)).status_code == 200
    pump(c)


def say_telegram(c, text=None, data=None):
    assert post_telegram(telegram_update(text=text, data=data)).status_code == 200
    pump(c)


def seed(c, path, **fields):
    now = datetime.now(UTC)
    c.store.set(path, {"created_at": now, **fields})


def audio_file(c, message: Audio) -> tuple[str, bytes]:
    """(object key, bytes) behind a signed link, as the storage service serves it."""
    data = c.blobs.open_signed_url(message.url)
    assert data is not None, "the signed link does not open"
    return urlsplit(message.url).path.lstrip("/"), data


def codec_and_seconds(data: bytes) -> tuple[str, float]:
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        samples, rate = 0, 1
        for frame in container.decode(stream):
            samples += frame.samples
            rate = frame.sample_rate
        return stream.codec_context.name, samples / rate


class RecordingSpeaker:
    """A speaker that remembers what it was asked to say (a short tone each time)."""

    def __init__(self, fail: bool = False) -> None:
        self.said: list[tuple[str, str]] = []
        self.fail = fail

    def speak(self, text: str, language: str) -> Speech:
        if self.fail:
            raise LlmError("injected TTS failure", retryable=True)
        self.said.append((text, language))
        return Speech(b"\x10\x00\xf0\xff" * 12_000, 24_000)  # 1 s at 24 kHz


# Document ids are stable_id() values (40 hex): buttons carry nothing else.
MINE, THEIRS, LONG, TR1, TR2 = ("a" * 40, "b" * 40, "c" * 40, "d" * 40, "e" * 40)


# --------------------------------------------------------------------------- LINE
def test_line_user_hears_their_leaflet_as_m4a(c):
    say_line(c, data="mode:edu")
    say_line(c, data="topic:flu")
    leaflet_id = c.store.get(f"sessions/{LINE_KEY}")["leaflet_id"]
    say_line(c, data=newest_button(c.messengers[Channel.LINE], LINE_USER, "tts"))

    message = c.messengers[Channel.LINE].messages_to(LINE_USER)[-1]
    assert isinstance(message, Audio)
    assert message.mime == "audio/mp4" and message.duration_ms > 500
    key, data = audio_file(c, message)
    assert key.startswith(f"audio/{LINE_KEY}/") and key.endswith(".m4a")
    assert c.blobs.content_type(key) == "audio/mp4"
    codec, seconds = codec_and_seconds(data)
    assert codec == "aac"
    assert abs(seconds * 1000 - message.duration_ms) < 150
    assert [b.data for b in message.buttons] == ["menu"]
    assert leaflet_id  # the session pointed at the leaflet that was read
    # What it is goes with it: LINE audio has no caption, so a text bubble before it.
    title = t("zh-TW", "speech.title_leaflet", title=t("zh-TW", "topic.flu"))
    assert message.title == title
    wire = c.messengers[Channel.LINE].sends[-1]
    assert render_messages(list(wire.messages))[0] == {"type": "text", "text": title}


def test_line_the_tts_job_answers_with_the_reply_token(c):
    say_line(c, data="mode:edu")
    say_line(c, data="topic:flu")
    say_line(c, data=newest_button(c.messengers[Channel.LINE], LINE_USER, "tts"))
    last = c.messengers[Channel.LINE].sends[-1]
    assert isinstance(last.messages[-1], Audio) and last.used_reply_token


# --------------------------------------------------------------------------- Telegram
def test_telegram_user_hears_their_translation_as_an_ogg_voice(c):
    seed(c, f"translations/{TR1}", user_id=TG_KEY, target="ru", plain="I have a headache.",
         translation="У меня болит голова уже три дня.")
    say_telegram(c, "hi")
    c.store.set(f"sessions/{TG_KEY}", {"translation_id": TR1}, merge=True)
    say_telegram(c, data=f"tts:translation:{TR1}")

    message = c.messengers[Channel.TELEGRAM].messages_to(TG_CHAT)[-1]
    assert isinstance(message, Audio) and message.mime == "audio/ogg"
    key, data = audio_file(c, message)
    assert key.startswith(f"audio/{TG_KEY}/") and key.endswith(".ogg")
    codec, seconds = codec_and_seconds(data)
    assert codec == "opus" and seconds > 0.5
    assert abs(seconds * 1000 - message.duration_ms) < 150
    lang = c.store.get(f"users/{TG_KEY}")["language"]
    title = t(lang, "speech.title_translation", target=t(lang, "lang.ru"))
    [call] = render_calls([message])
    assert call.method == "sendVoice" and call.params["caption"] == title  # its caption


def test_the_translation_is_spoken_in_its_target_language(c):
    speaker = RecordingSpeaker()
    c.__dict__["speaker"] = speaker
    seed(c, f"translations/{TR2}", user_id=TG_KEY, target="vi", plain="x", translation="Xin chào")
    say_telegram(c, data=f"tts:translation:{TR2}")
    assert speaker.said == [("Xin chào", "vi")]


# --------------------------------------------------------------------------- refusals
def test_another_users_leaflet_is_never_read(c):
    speaker = RecordingSpeaker()
    c.__dict__["speaker"] = speaker
    seed(c, f"leaflets/{THEIRS}", user_id=OTHER_KEY, language="en", text="Private leaflet.")
    say_line(c, data=f"tts:leaflet:{THEIRS}")

    assert speaker.said == []
    [message] = c.messengers[Channel.LINE].messages_to(LINE_USER)
    assert isinstance(message, Text)
    assert message.text == t("zh-TW", "speech.not_found")
    assert c.blobs.delete_prefix("audio/") == 0  # nothing was stored


def test_a_missing_leaflet_answers_like_a_foreign_one(c):
    say_line(c, data="tts:leaflet:" + "0" * 40)
    assert c.messengers[Channel.LINE].messages_to(LINE_USER)[-1].text == t(
        "zh-TW", "speech.not_found")


@pytest.mark.parametrize("data", ["tts:leaflet", "tts:translation", "tts:poem", "tts",
                                  "tts:leaflet:mine", f"tts:leaflet:{MINE}/.."])
def test_a_read_aloud_button_that_names_no_document_is_no_longer_valid(c, data):
    say_telegram(c, data=data)
    assert c.messengers[Channel.TELEGRAM].messages_to(TG_CHAT)[-1].text.startswith(t(
        "en", "button.invalid"))


# --------------------------------------------------------------------------- once
def test_a_tts_task_delivered_twice_sends_one_audio(c):
    seed(c, f"leaflets/{MINE}", user_id=TG_KEY, language="en", text="Drink water.")
    assert post_telegram(telegram_update(data=f"tts:leaflet:{MINE}")).status_code == 200
    [dialog_task] = c.tasks.take()
    headers = {"Authorization": f"Bearer {DEV_TOKEN}"}
    assert client("dialog_worker").post("/", json=dialog_task.payload,
                                        headers=headers).status_code == 200
    [tts_task] = c.tasks.take()
    assert tts_task.queue == Job.TTS.value
    outcomes = [client("tts_worker").post("/", json=tts_task.payload, headers=headers)
                for _ in range(3)]
    assert [r.status_code for r in outcomes] == [200, 200, 200]
    assert [r.get_data(as_text=True) for r in outcomes] == ["done", "duplicate", "duplicate"]
    audios = [m for m in c.messengers[Channel.TELEGRAM].messages_to(TG_CHAT)
              if isinstance(m, Audio)]
    assert len(audios) == 1


# --------------------------------------------------------------------------- long, failing
def test_a_long_text_is_cut_and_the_user_is_told(c):
    speaker = RecordingSpeaker()
    c.__dict__["speaker"] = speaker
    long_text = "**Rest** and drink water. " * 400  # ~10 000 characters, markdown
    seed(c, f"leaflets/{LONG}", user_id=TG_KEY, language="en", text=long_text)
    say_telegram(c, data=f"tts:leaflet:{LONG}")

    [(said, _)] = speaker.said
    assert len(said) <= 3000 and "**" not in said and said.endswith(".")
    note, audio = c.messengers[Channel.TELEGRAM].messages_to(TG_CHAT)[-2:]
    assert note.text == t("en", "speech.truncated")
    assert isinstance(audio, Audio) and audio.duration_ms == 1000


def test_a_failing_voice_apologises_and_retry_reads_it_again(c):
    c.__dict__["speaker"] = RecordingSpeaker(fail=True)
    seed(c, f"leaflets/{MINE}", user_id=TG_KEY, language="en", text="Drink water.")
    say_telegram(c, data=f"tts:leaflet:{MINE}")
    apology = c.messengers[Channel.TELEGRAM].messages_to(TG_CHAT)[-1]
    assert apology.text == t("en", "error.retry")
    assert "retry" in [b.data for b in apology.buttons]

    working = RecordingSpeaker()
    c.__dict__["speaker"] = working
    c.rebuild(Job.TTS)  # the tts worker rebuilt with the working voice
    say_telegram(c, data="retry")
    assert working.said == [("Drink water.", "en")]
    assert isinstance(c.messengers[Channel.TELEGRAM].messages_to(TG_CHAT)[-1], Audio)


# --------------------------------------------------------------------------- wiring
def test_button_data_fits_telegram_with_a_stable_id():
    data = read_aloud_data("translation", "a" * 40)
    assert len(data.encode()) <= 64
    assert read_aloud_button("zh-TW", "leaflet").data == "tts:leaflet"
    with pytest.raises(ValueError):
        read_aloud_data("poem")


def test_the_voice_is_gemini_with_a_key_and_espeak_without():
    assert isinstance(Container(settings_for()).speaker, EspeakSpeaker)
    assert isinstance(Container(settings_for(gemini_api_key="k")).speaker, ModelSpeaker)


def test_only_the_tts_worker_loads_pyav():
    """Webhooks and the other workers never import PyAV (FFmpeg libraries)."""
    code = (
        "import sys, main\n"
        "from tests.support import fake_container\n"
        "c = fake_container()\n"
        "c.dialog; c.job_handlers; c.speaker\n"
        "assert 'av' not in sys.modules, 'av imported'\n"
        "from shared.jobs import Job\n"
        "c.job_handler(Job.TTS)\n"
        "assert 'av' in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_delete_my_data_removes_the_spoken_audio(c):
    seed(c, f"leaflets/{MINE}", user_id=TG_KEY, language="en", text="Drink water.")
    say_telegram(c, data=f"tts:leaflet:{MINE}")
    audio = c.messengers[Channel.TELEGRAM].messages_to(TG_CHAT)[-1]
    assert isinstance(audio, Audio) and c.blobs.open_signed_url(audio.url)
    say_telegram(c, "delete my data")
    say_telegram(c, data="del:yes")
    assert c.blobs.open_signed_url(audio.url) is None


# --------------------------------------------------------------------------- long (issue 20)
def test_a_long_leaflet_reaches_telegram_as_voice_notes_of_at_most_1_mb(c):
    """Before: one 2.2 MB OGG file (9 minutes of espeak-ng Mandarin at 32 kbit/s), which
    Telegram delivers as a file, not a voice message. Now: numbered voice notes, each an
    OGG/Opus file of at most 1 MB (the flow's messenger checks every one against the
    platform rules too), together as long as the speech."""
    from bench.voice_notes import LEAFLET_ZH

    seed(c, f"leaflets/{LONG}", user_id=TG_KEY, language="zh-TW", text=LEAFLET_ZH)
    say_telegram(c, data=f"tts:leaflet:{LONG}")

    notes = [m for m in c.messengers[Channel.TELEGRAM].messages_to(TG_CHAT)
             if isinstance(m, Audio)]
    assert len(notes) >= 2
    total_s = 0.0
    for number, note in enumerate(notes, start=1):
        assert note.mime == "audio/ogg"
        assert note.caption == t("en", "speech.part", part=number, parts=len(notes))
        _, data = audio_file(c, note)
        assert len(data) <= 1_000_000, len(data)
        codec, seconds = codec_and_seconds(data)
        assert codec == "opus"
        assert abs(seconds * 1000 - note.duration_ms) < 150
        total_s += seconds
    assert total_s > 300  # the whole leaflet, not a shortened one
    assert [b.data for b in notes[-1].buttons] == ["menu"]
    assert all(not note.buttons for note in notes[:-1])

