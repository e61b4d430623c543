"""Leaflets end to end: the real GeminiModel (google-genai) against the local Gemini
server with grounding metadata, the emulators, the real LINE/Telegram SDKs on the fake
platforms, and e-mail through SmtpMailer to the SMTP sink.

The settings are a new deployment's defaults plus an API key pointed at the local
server, which answers as the Gemini API does (a retired model id answers 404, speech
comes at the rate its mime type declares, answers end with their finish reason)."""

from __future__ import annotations

import io
import re

import av
import pytest

from infra.local.gemini_server import CHIP_PREFIX, sources_for
from infra.local.gemini_wire import search_url as chip_url
from shared.domain.i18n import t
from shared.settings import Settings

pytestmark = pytest.mark.emulator

QUERIES = ("高血壓 飲食 少鹽", "high blood pressure & salt")
UNIQUE_SOURCES = list(dict.fromkeys(uri for uri, _, _ in sources_for(QUERIES[0])))
LEAFLET = {
    "zh-TW": "# 高血壓\n\n高血壓是血管壓力長期偏高。\n\n本單張為一般資訊，不是醫療建議。",
    "ru": "# Гипертония\n\nДавление долго выше нормы.\n\nЭто не медицинский совет.",
    "en": "# High blood pressure\n\nPressure that stays high.\n\nNot medical advice.",
}


@pytest.fixture
def edu(stack, gemini_server, smtp_sink):
    # The settings a deployment would have: a Gemini key (pointed at the local server)
    # and an SMTP host; bootstrap builds GeminiModel and SmtpMailer from them.
    stack.container.settings = stack.container.settings.model_copy(update={
        "gemini_api_key": "local-test-key", "gemini_base_url": gemini_server.url,
        "gemini_attempts": 1, "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port,
        "smtp_security": "none"})
    smtp_sink.clear()
    return stack


def _kind(data: str) -> str:
    """Button data without its object ids ("lfto:<id>:en" -> "lfto:en")."""
    return re.sub(r":[0-9a-f]{40}(?=:|$)", "", data)


def _tap(edu, channel, user, data):
    """Tap the newest button of a kind once a bot message carries it (messages arrive
    one by one; leaflet buttons carry the leaflet's id)."""
    def newest() -> str | None:
        for entry in reversed(edu.state.bot_entries(channel, user)):
            for button in entry.buttons:
                if _kind(str(button.get("data"))) == data:
                    return str(button["data"])
        return None

    edu.state.tap(channel, user, edu.wait_for(newest))


def _leaflet(edu, gemini_server, channel, user, lang):
    gemini_server.script_text(LEAFLET[lang])
    edu.state.send_text(channel, user, "hello")
    _tap(edu, channel, user, "mode:edu")
    _tap(edu, channel, user, "topic:hypertension")
    marker = LEAFLET[lang].splitlines()[2]
    return edu.wait_for(lambda: [x for x in edu.bot_texts(channel, user) if marker in x])


def _suggestion_links(edu, channel, user):
    """The search-suggestion links of the last message that has any, and that message."""
    for entry in reversed(edu.state.bot_entries(channel, user)):
        if channel == "line" and entry.kind == "cards":
            links = [(link["text"], link["url"]) for card in entry.cards
                     for link in card.get("links", []) if link["url"].startswith(CHIP_PREFIX)]
        else:
            links = [(seg["text"], seg["url"]) for seg in entry.segments
                     if (seg.get("url") or "").startswith(CHIP_PREFIX)]
        if links:
            return links, entry
    return None


def test_a_new_deployment_gets_leaflets_from_the_default_model(edu, gemini_server):
    assert edu.container.settings.gemini_model == Settings().gemini_model
    _leaflet(edu, gemini_server, "line", "zh-TW", "zh-TW")
    [request] = gemini_server.generate_requests()
    assert request.model == Settings().gemini_model and request.grounded
    assert gemini_server.responses[-1].status == 200


def test_grounded_references_reach_line_as_cards(edu, gemini_server):
    gemini_server.search_queries = QUERIES
    _leaflet(edu, gemini_server, "line", "zh-TW", "zh-TW")
    entries = edu.wait_for(lambda: [e for e in edu.state.bot_entries("line", "zh-TW")
                                    if e.kind == "cards"])
    *sources, suggestions = entries[-1].cards
    assert [card["url"] for card in sources] == UNIQUE_SOURCES
    # Google Search Suggestions in the same carousel as the sources: each query exactly
    # as given, a tap opening its Google results page (the chip's own link).
    assert [(x["text"], x["url"]) for x in suggestions["links"]] == [
        (q, chip_url(q)) for q in QUERIES]
    last = edu.state.bot_entries("line", "zh-TW")[-1]
    assert {"lfmod", "lftr", "tts:leaflet", "lfmail", "lfpdf", "menu"} <= {
        _kind(b.get("data")) for b in last.buttons}
    [request] = gemini_server.requests
    assert request.grounded  # one grounded call per leaflet


@pytest.mark.parametrize(("channel", "user", "lang"), [("line", "zh-TW", "zh-TW"),
                                                       ("telegram", "ru", "ru")])
def test_every_showing_of_a_grounded_leaflet_carries_its_search_suggestions(
        edu, gemini_server, smtp_sink, channel, user, lang):
    gemini_server.search_queries = QUERIES
    expected = [(q, chip_url(q)) for q in QUERIES]
    _leaflet(edu, gemini_server, channel, user, lang)
    shown = edu.wait_for(lambda: _suggestion_links(edu, channel, user))
    assert shown[0] == expected
    sources_there = ([c["url"] for c in shown[1].cards] if channel == "line"
                     else [s["url"] for s in shown[1].segments if s.get("url")])
    assert set(UNIQUE_SOURCES) <= set(sources_there)  # the same message as the sources

    # Translated: the translation keeps them (and its sources).
    count = len(edu.state.bot_entries(channel, user))
    _tap(edu, channel, user, "lftr")
    _tap(edu, channel, user, "lfto:en")
    gemini_server.script_text("# Hypertension\n\nLess salt.")
    edu.wait_for(lambda: any("Less salt." in x for x in edu.bot_texts(channel, user)))
    edu.wait_for(lambda: (_suggestion_links(edu, channel, user) or ([], None))[1]
                 in edu.state.bot_entries(channel, user)[count:])
    assert _suggestion_links(edu, channel, user)[0] == expected
    assert gemini_server.requests[-1].thinking_level == "MINIMAL"  # a translation

    # Shown again: the original with its suggestions.
    count = len(edu.state.bot_entries(channel, user))
    _tap(edu, channel, user, "lforig")
    edu.wait_for(lambda: (_suggestion_links(edu, channel, user) or ([], None))[1]
                 in edu.state.bot_entries(channel, user)[count:])
    assert _suggestion_links(edu, channel, user)[0] == expected

    # E-mailed: each suggestion as a link.
    _tap(edu, channel, user, "lfmail")
    edu.wait_for(lambda: t(lang, "education.email_ask") in edu.bot_texts(channel, user))
    edu.state.send_text(channel, user, "patient@example.org")
    [mail] = edu.wait_for(smtp_sink.messages)
    for query, url in expected:
        assert query in mail["text"] and url in mail["text"]
    assert t(lang, "education.search_suggestions") in mail["html"]
    assert mail["html"].count('href="https://www.google.com/search?q=') == len(QUERIES)


@pytest.mark.parametrize(("channel", "user", "lang", "fmt"), [
    ("line", "zh-TW", "zh-TW", ("l16", 16_000)),
    ("telegram", "en", "en", ("wav", 48_000)),
])
def test_a_leaflet_read_aloud_lasts_as_long_as_its_speech(edu, gemini_server, channel, user,
                                                         lang, fmt):
    _leaflet(edu, gemini_server, channel, user, lang)
    gemini_server.speech_format = fmt  # declared in the answer's mime type
    gemini_server.speech_seconds = 3.0
    _tap(edu, channel, user, "tts:leaflet")
    [audio] = edu.wait_for(lambda: [e for e in edu.state.bot_entries(channel, user)
                                    if e.kind == "audio"], timeout=60)
    assert audio.duration_ms == 3000
    data = edu.container.blobs.open_signed_url(audio.audio_url)
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        samples = 0
        for frame in container.decode(stream):
            samples += frame.samples
        seconds = samples / stream.rate
    assert seconds == pytest.approx(3.0, abs=0.1)  # not sped up, not slowed down
    speech_request = gemini_server.generate_requests()[-1]
    assert speech_request.model == Settings().gemini_tts_model
    assert speech_request.speech_styles and "temperature" not in speech_request.generation_config


@pytest.mark.parametrize(("channel", "user", "lang"), [("line", "zh-TW", "zh-TW"),
                                                       ("telegram", "ru", "ru")])
def test_an_answer_cut_off_at_max_tokens_is_never_delivered_as_a_leaflet(
        edu, gemini_server, channel, user, lang):
    gemini_server.finish_next("MAX_TOKENS", "MAX_TOKENS")  # also when asked with more room
    gemini_server.script_text(LEAFLET[lang])
    edu.state.send_text(channel, user, "hello")
    _tap(edu, channel, user, "mode:edu")
    _tap(edu, channel, user, "topic:hypertension")
    edu.wait_for(lambda: t(lang, "error.truncated") in edu.bot_texts(channel, user))
    first, second = gemini_server.generate_requests()
    assert second.generation_config["maxOutputTokens"] > first.generation_config[
        "maxOutputTokens"]
    cut = LEAFLET[lang][: len(LEAFLET[lang]) // 3]
    assert not any(cut in x for x in edu.bot_texts(channel, user))
    assert not _suggestion_links(edu, channel, user)
    assert "lfmod" not in {_kind(b.get("data")) for e in edu.state.bot_entries(channel, user)
                           for b in e.buttons}


def test_after_a_retry_hint_no_attempt_comes_early_and_the_leaflet_arrives(edu, gemini_server):
    defaults = Settings()
    edu.container.settings = edu.container.settings.model_copy(update={
        "gemini_attempts": defaults.gemini_attempts})  # before the model is first built
    # 429 RESOURCE_EXHAUSTED with RetryInfo (per minute), from the leaflet's first request:
    # a window started before the taps could run out on a busy machine before it is asked.
    gemini_server.throttle(3.0, from_next_request=True)
    _leaflet(edu, gemini_server, "telegram", "ru", "ru")
    first, second = gemini_server.generate_requests()
    throttled = gemini_server.responses[0]
    assert throttled.status == 429
    [hint] = [d["retryDelay"] for d in throttled.body["error"]["details"]
              if d["@type"].endswith("RetryInfo")]
    assert second.at - first.at >= float(hint.rstrip("s")) > 1.0
    assert gemini_server.early_attempts == 1  # the throttled first attempt only


def test_telegram_gets_a_link_list_then_modify_translate_and_email_over_smtp(
        edu, gemini_server, smtp_sink):
    channel, user, lang = "telegram", "ru", "ru"
    gemini_server.search_queries = QUERIES  # the sources are about the first query
    _leaflet(edu, gemini_server, channel, user, lang)
    links = edu.wait_for(lambda: [s["url"] for e in edu.state.bot_entries(channel, user)
                                  for s in e.segments if s.get("url")])
    assert [u for u in links if not u.startswith(CHIP_PREFIX)] == UNIQUE_SOURCES
    assert len(gemini_server.requests) == 1

    _tap(edu, channel, user, "lfmod")
    edu.wait_for(lambda: t(lang, "education.modify_ask") in edu.bot_texts(channel, user))
    gemini_server.script_text("# Гипертония (коротко)\n\nМеньше соли.")
    edu.state.send_text(channel, user, "короче")
    edu.wait_for(lambda: any("Меньше соли." in x for x in edu.bot_texts(channel, user)))
    assert len(gemini_server.requests) == 2 and gemini_server.requests[1].grounded
    assert "короче" in gemini_server.requests[1].contents_text

    edu.wait_for(lambda: len([e for e in edu.state.bot_entries(channel, user)
                              if any(s.get("url") for s in e.segments)]) == 2)
    _tap(edu, channel, user, "lftr")
    edu.wait_for(lambda: t(lang, "education.translate_ask") in edu.bot_texts(channel, user))
    gemini_server.script_text("# Hypertension (short)\n\nLess salt.")
    edu.state.send_text(channel, user, "английский")
    edu.wait_for(lambda: any("Less salt." in x for x in edu.bot_texts(channel, user)))
    assert len(gemini_server.requests) == 3 and not gemini_server.requests[2].grounded

    _tap(edu, channel, user, "lfmail")
    edu.wait_for(lambda: t(lang, "education.email_ask") in edu.bot_texts(channel, user))
    edu.state.send_text(channel, user, "patient@example.org")
    [mail] = edu.wait_for(smtp_sink.messages)
    assert mail["to"] == "patient@example.org"
    for body in (mail["text"], mail["html"]):
        assert "Меньше соли." in body and "Less salt." in body
        assert UNIQUE_SOURCES[1] in body
        assert t(lang, "education.disclaimer", emergency="112") in body
    edu.wait_for(lambda: t(lang, "education.email_sent") in edu.bot_texts(channel, user))
    assert len(gemini_server.requests) == 3  # e-mail needs no model call


def test_a_long_leaflet_is_capped_on_line_and_kept_whole(edu, gemini_server):
    paragraph = "高血壓需要長期控制，請按時服藥並定期量血壓。" * 20 + "\n\n"
    long_text = "# 高血壓\n\n" + paragraph * 60  # ~27,000 characters: six LINE bubbles
    gemini_server.script_text(long_text)
    edu.state.send_text("line", "zh-TW", "hello")
    _tap(edu, "line", "zh-TW", "mode:edu")
    _tap(edu, "line", "zh-TW", "topic:hypertension")
    edu.wait_for(lambda: [e for e in edu.state.bot_entries("line", "zh-TW")
                          if e.kind == "cards"])
    # The chat shows two bubbles of it (the cap), ending with where the rest is; the
    # references follow; the whole leaflet is stored for the handout and the e-mail.
    texts = [x for x in edu.bot_texts("line", "zh-TW") if "高血壓需要長期控制" in x]
    assert len(texts) == 2 and texts[0].startswith("高血壓\n\n高血壓需要長期控制")
    assert texts[-1].endswith(t("zh-TW", "education.shortened"))
    assert all(len(x.encode("utf-16-le")) // 2 <= 5000 for x in texts)
    sends = [c for c in edu.state.calls_to("line") if c.endpoint in ("reply", "push")]
    assert sends[-1].status == 200
    [(_, leaflet)] = edu.container.store.query("leaflets")
    assert leaflet["text"].count("高血壓需要長期控制") == 60 * 20
