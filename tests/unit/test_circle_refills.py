"""The care circle's refill reminders, unit by unit: the text a caregiver gets (the
days it lasts, never the count), the third share (on by default, a button like the
others), and the listener that queues nothing for a patient without caregivers."""

from __future__ import annotations

import pytest

from shared.domain.i18n import t
from shared.fakes.memory_store import MemoryStore
from shared.features.circle import texts
from shared.features.circle.dialog import KINDS
from shared.features.circle.model import DEFAULT_SHARES, Link, Share
from shared.features.circle.refills import CircleRefills
from shared.features.circle.repository import circle_path, link_doc, link_from
from shared.features.supply.model import Alert
from shared.features.supply.taken import LowSupply, LowSupplyListener, caregiver_listeners
from shared.jobs import Job

LOW = LowSupply("telegram-1", "m1", "metformin", Alert.LOW, "15", 7)


@pytest.mark.parametrize("lang", ["en", "zh-TW", "ru"])
def test_the_caregivers_line_names_the_medicine_and_days_only(lang: str):
    low = texts.refill(lang, "Mum", "metformin", out=False, days=3)
    assert low.text == t(lang, "circle.refill.low", name="Mum", medicine="metformin", count=3)
    assert "Mum" in low.text and "metformin" in low.text and "3" in low.text
    assert texts.refill(lang, "Mum", "metformin", out=False, days=0).text == t(
        lang, "circle.refill.today", name="Mum", medicine="metformin")
    out = texts.refill(lang, "", "metformin", out=True, days=None)
    assert out.text == t(lang, "circle.refill.out", name=t(lang, "circle.someone"),
                         medicine="metformin")
    assert len({low.text, out.text}) == 2 and "{" not in low.text + out.text


def test_refills_are_a_third_share_on_by_default_with_its_switch():
    assert Share.REFILLS in DEFAULT_SHARES
    link = Link("l1", "telegram-1", "line-U1", "Mum", "")
    off = link.toggled(Share.REFILLS)
    assert not off.has(Share.REFILLS) and off.has(Share.ALERTS) and off.has(Share.SUMMARY)
    assert not link_from("l1", link_doc(off)).has(Share.REFILLS)  # stored as chosen
    assert KINDS["share"].read(KINDS["share"].data("a" * 40, "refills")) == ("a" * 40,
                                                                            "refills")
    card = texts.card("en", off)
    assert f"cgsh:l1:{Share.REFILLS.value}" in [b.data for b in card.buttons]
    assert t("en", "circle.button.refills.on") in [b.label for b in card.buttons]


def test_the_supply_hook_hands_its_alerts_to_the_circle():
    store = MemoryStore()
    [listener] = caregiver_listeners(store)
    assert isinstance(listener, CircleRefills)
    mine: LowSupplyListener = listener  # the port, as mypy checks it
    assert mine.low_supply(None, LOW).jobs == []  # type: ignore[arg-type]  # no circle
    store.set(circle_path("telegram-1"), {"links": []})
    assert listener.low_supply(None, LOW).jobs == []  # type: ignore[arg-type]
    store.set(circle_path("telegram-1"), {"links": ["l1"]})
    reply = listener.low_supply(None, LOW)  # type: ignore[arg-type]  # turn unused
    assert reply.writes == [] and reply.messages == []
    [(job, payload)] = reply.jobs
    assert job is Job.CARE and payload == {"kind": "refill", "user": "telegram-1",
                                           "medication_id": "m1", "alert": "low", "days": 7}
    assert "metformin" not in str(payload) and "15" not in str(payload)
