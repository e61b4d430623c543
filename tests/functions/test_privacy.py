"""'delete my data' after using every mode leaves no trace of the user anywhere."""

from __future__ import annotations

import json

import pytest

from shared.bootstrap import registry
from shared.fakes.memory_store import UnregisteredCollection
from shared.plumbing.collections import Erase
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


@pytest.mark.parametrize("data", ["del:no", "del:", "del:yes:x", "del:YES"])
def test_only_the_yes_button_erases(c, data):
    with_schedule(c, "add aspirin 100 mg at 10:00")
    say(c, "delete my data")
    say(c, data=data)
    assert everything_mentioning(c, "medications/")


def test_a_collection_no_feature_registered_cannot_be_written(c):
    """The store of the tests and the in-memory stack refuses any collection that no
    feature registered, so code storing data "delete my data" would not find fails
    every test that runs it."""
    with pytest.raises(UnregisteredCollection, match="'scratch'"):
        c.store.set("scratch/1", {"user_id": KEY})
    with pytest.raises(UnregisteredCollection):
        c.store.create("scratch/2", {"user_id": KEY})
    with pytest.raises(UnregisteredCollection):
        c.store.transaction(lambda txn: txn.set("scratch/3", {"user_id": KEY}))
    assert c.store.get("scratch/1") is None
    c.store.set("leaflets/1", {"user_id": KEY})  # a registered one


def test_every_collection_holding_a_user_is_erased_by_its_registration(c):
    with_schedule(c, "add aspirin 100 mg at 10:00")
    tick(c, START.replace(hour=10, minute=1))
    say(c, data="mode:tr")
    say(c, data="tr:en")
    say(c, "頭痛")
    written = {path.split("/", 1)[0] for path in c.store._docs}
    assert written <= set(registry().collections)
    personal = {name for name in written
                if registry().collections[name].erase is not Erase.NOTHING}
    assert {"users", "sessions", "medications", "doses", "translations", "usage"} <= personal

    say(c, "delete my data")
    say(c, data="del:yes")
    left = {path.split("/", 1)[0] for path, doc in c.store._docs.items()
            if str(TELEGRAM_USER) in path or str(TELEGRAM_USER) in json.dumps(doc, default=str)}
    assert left == set()
