"""Issue 15 item 6 for refills and reports: "delete my data" removes the counts on hand
and the reports in the bucket (and what is left of their e-mail), on the in-memory
store and on the Firestore emulator; a report link made before no longer opens."""

from __future__ import annotations

from typing import Any

import pytest

from shared.bootstrap import Container
from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.messages import Cards
from shared.ports import Filter
from tests.functions.test_supply_refills import KEY, START, chat, messenger, say
from tests.support import fake_container, serving


def _container(store: str, request: pytest.FixtureRequest) -> Container:
    c = fake_container()
    c.__dict__["clock"] = FixedClock(START)
    if store == "firestore":
        from shared.adapters.firestore_store import FirestoreStore

        c.__dict__["store"] = FirestoreStore(
            project=request.getfixturevalue("firestore_project"))
    return c


@pytest.mark.parametrize("store", ["memory", "firestore"])
def test_delete_my_data_removes_counts_reports_and_their_mail(
        store: str, request: pytest.FixtureRequest) -> None:
    c = _container(store, request)
    with serving(c):
        say(c, data="mode:med")
        say(c, data="med:tz:Asia/Taipei")
        say(c, "add metformin 1 tablet at 08:00")
        say(c, "I have 5 tablets of metformin")  # low already: the refill reminder
        say(c, "report for my doctor")
        [cards] = [m for m in messenger(c).messages_to(chat(Channel.TELEGRAM))
                   if isinstance(m, Cards)]
        link = cards.cards[0].url
        blobs: Any = c.blobs  # the in-memory bucket opens its own links
        say(c, data=next(b.data for b in cards.buttons if b.data.startswith("rp:mail:")))
        say(c, "doctor@example.org")
        assert blobs.open_signed_url(link) is not None
        assert c.store.query("supplies", [Filter("user_id", "==", KEY)])
        assert c.store.query("mail_outbox", [Filter("user_id", "==", KEY)])

        say(c, "delete my data")
        say(c, data="del:yes")

        assert blobs.open_signed_url(link) is None
        for collection in ("supplies", "mail_outbox", "mail_quota"):
            assert c.store.query(collection, [Filter("user_id", "==", KEY)]) == [], collection
        assert [k for k in getattr(blobs, "_objects", {}) if k.startswith(f"reports/{KEY}/")] == []
