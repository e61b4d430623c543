"""End to end on the emulators, as a user on each platform would see it."""

from __future__ import annotations

import httpx
import pytest

from shared.domain.i18n import t

pytestmark = pytest.mark.emulator


@pytest.mark.parametrize(("channel", "user", "lang"), [("line", "zh-TW", "zh-TW"),
                                                       ("telegram", "ru", "ru")])
def test_new_user_gets_the_menu_chooses_a_mode_and_gets_an_answer(stack, channel, user, lang):
    result = stack.state.send_text(channel, user, "hello")
    assert result.status == 200
    stack.wait_for(lambda: t(lang, "menu.title") in stack.bot_texts(channel, user))

    stack.state.tap(channel, user, "mode:edu")
    stack.wait_for(lambda: t(lang, "education.intro") in stack.bot_texts(channel, user))
    stack.state.tap(channel, user, "topic:flu")
    leaflet = stack.wait_for(lambda: [x for x in stack.bot_texts(channel, user)
                                      if x.startswith(t(lang, "offline.label"))])
    assert t(lang, "topic.flu") in leaflet[0]


def test_line_event_delivered_five_times_is_answered_once(stack):
    stack.state.send_text("line", "en", "hello")
    stack.wait_for(lambda: stack.bot_texts("line", "en"))
    for _ in range(4):
        assert stack.state.redeliver_last("line").status == 200
    stack.state.send_text("line", "en", "help")  # a later message, to know all ran
    stack.wait_for(lambda: t("zh-TW", "help.text", emergency="119")
                   in stack.bot_texts("line", "en")
                   or t("en", "help.text", emergency="112") in stack.bot_texts("line", "en"))
    # One menu for the five deliveries, one help text for the later message.
    assert len(stack.bot_texts("line", "en")) == 2, stack.bot_texts("line", "en")


def test_wrong_signature_leaves_firestore_and_the_queue_untouched(stack):
    functions_url = stack.container.settings.worker_base_url
    body = b'{"destination":"U1","events":[{"type":"message","webhookEventId":"01X",' \
           b'"source":{"type":"user","userId":"U' + b"0" * 32 + b'"},' \
           b'"message":{"type":"text","id":"1","text":"hi"},"replyToken":"r","timestamp":1}]}'
    response = httpx.post(f"{functions_url}/line_webhook", content=body,
                          headers={"x-line-signature": "AAAA"})
    assert response.status_code == 401
    assert stack.container.store.query("idempotency") == []
    assert stack.container.store.query("jobs") == []
