"""'delete my data' after using every mode leaves no trace of the user anywhere."""

from __future__ import annotations

import json

from tests.functions import test_medication as med
from tests.functions.test_medication import KEY, START, say, tick, with_schedule
from tests.support import TELEGRAM_USER

c = med.c  # the same fixture: a Telegram user on fakes at a fixed time


def everything_mentioning(c, needle: str) -> list[str]:
    store = c.store
    return [path for path, doc in store._docs.items()
            if needle in path or needle in json.dumps(doc, default=str)]


def test_erasing_a_user_who_used_every_mode_leaves_nothing(c):
    with_schedule(c, "add aspirin 100 mg at 10:00")
    tick(c, START.replace(hour=10, minute=1))  # a reminder, its outbox and log
    say(c, data="mode:edu")
    say(c, data="topic:flu")
    say(c, data="mode:tr")
    say(c, data="tr:en")
    say(c, "頭痛")
    c.blobs.put(f"audio/{KEY}/a.m4a", b"x", "audio/mp4")
    other = "audio/telegram-1/keep.m4a"
    c.blobs.put(other, b"y", "audio/mp4")
    assert everything_mentioning(c, str(TELEGRAM_USER))

    say(c, "delete my data")
    say(c, data="del:yes")

    assert everything_mentioning(c, str(TELEGRAM_USER)) == []
    assert c.blobs.get(f"audio/{KEY}/a.m4a") is None
    assert c.blobs.get(other) == b"y"
