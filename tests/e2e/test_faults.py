"""Faults on the emulators (Firestore emulator, gcloud-tasks-emulator, functions over
HTTP, real SDKs against the fake platforms and the local Gemini-protocol server).

* Gemini answers 429 / 500 / timeout on 30% of calls: every message still gets exactly
  one answer, the leaflet (after the adapter's retries) or the apology with its retry
  button; none lost, none answered twice.
* The LINE / Telegram APIs answer 5xx or hang: the send is retried (Cloud Tasks) and
  reaches the user exactly once.
* Every log line written meanwhile is scanned: no message text, no e-mail address, no
  audio link.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.gemini_server import GeminiServer
from shared.adapters.gemini import GeminiModel
from shared.adapters.line_messenger import LineMessenger
from shared.adapters.telegram_messenger import TelegramMessenger
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.log import JsonFormatter
from shared.settings import Settings

pytestmark = pytest.mark.emulator

SECRET_WORDS = "zebrafinch"  # in every user text: must never reach a log line
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
AUDIO_URL = re.compile(r"https?://\S+\.(m4a|mp3|ogg|wav)|/blobs/audio/")

DEFAULTS = Settings()  # the models a new deployment gets


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs() -> Iterator[Capture]:
    """Every record any logger emits during the test (the functions run in-process)."""
    capture = Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)


def assert_private(capture: Capture, texts: list[str]) -> None:
    assert len(capture.lines) > 10, "nothing was logged: the scan proves nothing"
    for line in capture.lines:
        assert SECRET_WORDS not in line, line
        for text in texts:
            assert text not in line, line
        assert not EMAIL.search(line.replace("medbot@example.org", "")), line
        assert not AUDIO_URL.search(line), line


@pytest.fixture
def gemini(stack: Any, gemini_server: GeminiServer) -> GeminiServer:
    """The real Gemini adapter against the local server: short timeout, no backoff
    sleep (the policy is unit-tested), three attempts per call."""
    gemini_server.timeout_delay_s = 1.5
    stack.container.__dict__["llm"] = GeminiModel(
        "test-key", model=DEFAULTS.gemini_model, tts_model=DEFAULTS.gemini_tts_model,
        base_url=gemini_server.url, timeout_s=0.5, attempts=3, sleep=lambda _: None)
    return gemini_server


def settle(stack: Any, count: Any, timeout: float = 60.0) -> None:
    """Wait until count() stops changing for 2 s (nothing more is coming)."""
    deadline = time.monotonic() + timeout
    last, since = count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > 2.0:
            return
    raise AssertionError("the bot kept sending")


@pytest.mark.parametrize(("channel", "user", "lang"), [("line", "zh-TW", "zh-TW"),
                                                       ("telegram", "ru", "ru")])
def test_gemini_faults_on_30_percent_of_calls_every_message_answered_exactly_once(
        stack, gemini, logs, channel, user, lang):
    gemini.set_faults(0.3, ("429", "500", "timeout"), seed=11)
    stack.state.send_text(channel, user, "menu")
    stack.wait_for(lambda: t(lang, "menu.title") in stack.bot_texts(channel, user))
    stack.state.tap(channel, user, "mode:edu")
    stack.wait_for(lambda: t(lang, "education.intro") in stack.bot_texts(channel, user))
    topics = [f"{SECRET_WORDS} topic {i:02d}" for i in range(12)]
    for topic in topics:
        assert stack.state.send_text(channel, user, topic).status == 200
        time.sleep(0.05)

    apology = t(lang, "error.retry")

    def answers() -> list[str]:
        return [x for x in stack.bot_texts(channel, user)
                if "Local Gemini answer" in x or x == apology]

    stack.wait_for(lambda: len(answers()) >= len(topics), timeout=90)
    settle(stack, lambda: len(stack.bot_texts(channel, user)))
    got = answers()
    leaflets = [x for x in got if x != apology]
    assert len(got) == len(topics), got  # none lost, none twice
    for topic in topics:
        assert sum(topic in x for x in leaflets) <= 1, topic
    assert len(set(leaflets)) == len(leaflets)
    # The faults happened and were retried: more model calls than messages.
    assert len(gemini.requests) > len(topics)
    assert len(leaflets) >= len(topics) // 2  # three attempts beat 30% faults mostly
    assert_private(logs, topics)


@pytest.mark.parametrize("mode", ["error", "hang"])
@pytest.mark.parametrize(("channel", "user", "lang"), [("line", "zh-TW", "zh-TW"),
                                                       ("telegram", "ru", "ru")])
def test_platform_5xx_or_hang_is_retried_and_delivered_exactly_once(
        stack, logs, channel, user, lang, mode):
    s = stack.container.settings
    # Short client timeouts so a hang costs a second, not the default ten.
    stack.container.__dict__["messengers"] = {
        Channel.LINE: LineMessenger(s.line_channel_access_token,
                                    api_base_url=s.line_api_base_url,
                                    data_api_base_url=s.line_data_api_base_url, timeout_s=1),
        Channel.TELEGRAM: TelegramMessenger(s.telegram_bot_token,
                                            base_url=s.telegram_api_base_url,
                                            base_file_url=s.telegram_file_base_url,
                                            timeout_s=1),
    }
    stack.state.fail_next(2, mode=mode, status=503, channel=channel, hang_s=1.5)
    texts = [f"{SECRET_WORDS} hello {i}" for i in range(3)]
    for text in texts:
        stack.state.send_text(channel, user, text)
    stack.wait_for(lambda: len(stack.bot_texts(channel, user)) >= len(texts), timeout=60)
    settle(stack, lambda: len(stack.bot_texts(channel, user)))
    got = stack.bot_texts(channel, user)
    # Each message in the menu state is answered by one menu: three, not more.
    assert len(got) == len(texts), got
    failed = [c for c in stack.state.calls_to(channel) if c.status >= 500]
    assert len(failed) >= 1  # the fault really hit a send
    assert_private(logs, texts)


def test_concurrent_duplicate_deliveries_are_answered_once(stack, logs):
    import threading

    stack.state.send_text("line", "zh-TW", f"{SECRET_WORDS} first")
    stack.wait_for(lambda: stack.bot_texts("line", "zh-TW"))
    threads = [threading.Thread(target=stack.state.redeliver_last, args=("line",))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    settle(stack, lambda: len(stack.bot_texts("line", "zh-TW")))
    assert len(stack.bot_texts("line", "zh-TW")) == 1
    assert_private(logs, [])
