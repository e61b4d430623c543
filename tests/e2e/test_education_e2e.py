"""Leaflets end to end: the real GeminiModel (google-genai) against the local Gemini
server with grounding metadata, the emulators, the real LINE/Telegram SDKs on the fake
platforms, and e-mail through SmtpMailer to the SMTP sink."""

from __future__ import annotations

import pytest

from infra.local.gemini_server import CHIP_URL, DEFAULT_SOURCES
from shared.domain.i18n import t

pytestmark = pytest.mark.emulator

UNIQUE_SOURCES = list(dict.fromkeys(uri for uri, _ in DEFAULT_SOURCES))
LEAFLET = {
    "zh-TW": "# 高血壓\n\n高血壓是血管壓力長期偏高。\n\n本單張為一般資訊，不是醫療建議。",
    "ru": "# Гипертония\n\nДавление долго выше нормы.\n\nЭто не медицинский совет.",
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


def _tap(edu, channel, user, data):
    """Tap a button once a bot message carries it (messages arrive one by one)."""
    edu.wait_for(lambda: any(b.get("data") == data for e in edu.state.bot_entries(channel, user)
                             for b in e.buttons))
    edu.state.tap(channel, user, data)


def _leaflet(edu, gemini_server, channel, user, lang):
    gemini_server.script_text(LEAFLET[lang])
    edu.state.send_text(channel, user, "hello")
    _tap(edu, channel, user, "mode:edu")
    _tap(edu, channel, user, "topic:hypertension")
    marker = LEAFLET[lang].splitlines()[2]
    return edu.wait_for(lambda: [x for x in edu.bot_texts(channel, user) if marker in x])


def test_grounded_references_reach_line_as_cards(edu, gemini_server):
    _leaflet(edu, gemini_server, "line", "zh-TW", "zh-TW")
    entries = edu.wait_for(lambda: [e for e in edu.state.bot_entries("line", "zh-TW")
                                    if e.kind == "cards"])
    urls = [card["url"] for card in entries[-1].cards]
    assert urls == UNIQUE_SOURCES and CHIP_URL not in urls
    last = edu.state.bot_entries("line", "zh-TW")[-1]
    assert {"lfmod", "lftr", "tts:leaflet", "lfmail", "lfpdf", "menu"} <= {
        b.get("data") for b in last.buttons}
    [request] = gemini_server.requests
    assert request.grounded  # one grounded call per leaflet


def test_telegram_gets_a_link_list_then_modify_translate_and_email_over_smtp(
        edu, gemini_server, smtp_sink):
    channel, user, lang = "telegram", "ru", "ru"
    _leaflet(edu, gemini_server, channel, user, lang)
    links = edu.wait_for(lambda: [s["url"] for e in edu.state.bot_entries(channel, user)
                                  for s in e.segments if s.get("url")])
    assert links == UNIQUE_SOURCES
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
        assert UNIQUE_SOURCES[1] in body and t(lang, "education.disclaimer") in body
    edu.wait_for(lambda: t(lang, "education.email_sent") in edu.bot_texts(channel, user))
    assert len(gemini_server.requests) == 3  # e-mail needs no model call


def test_a_long_leaflet_reaches_line_whole(edu, gemini_server):
    paragraph = "高血壓需要長期控制，請按時服藥並定期量血壓。" * 20 + "\n\n"
    long_text = "# 高血壓\n\n" + paragraph * 60  # ~27,000 characters: six LINE bubbles
    gemini_server.script_text(long_text)
    edu.state.send_text("line", "zh-TW", "hello")
    _tap(edu, "line", "zh-TW", "mode:edu")
    _tap(edu, "line", "zh-TW", "topic:hypertension")
    edu.wait_for(lambda: [e for e in edu.state.bot_entries("line", "zh-TW")
                          if e.kind == "cards"])
    texts = edu.bot_texts("line", "zh-TW")
    assert long_text in "".join(texts)
    # LINE takes at most 5 messages per call: the adapter replied, then pushed the rest.
    calls = edu.state.calls_to("line")
    sends = [c for c in calls if c.endpoint in ("reply", "push")]
    assert any(c.endpoint == "push" for c in sends)
