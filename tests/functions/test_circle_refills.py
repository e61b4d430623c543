"""Issue 15 item 4, "the caregiver can get it too", through the real entry points on
fakes: when a patient's count runs low (or out) on a Taken, each caregiver whose link
shares refills gets one line in their own language and app naming the medicine and the
days left; never the count or the dosage; once per refill, whatever is tapped again."""

from __future__ import annotations

import pytest

from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Text
from tests.functions.test_circle import (
    SECOND_TG,
    START,
    invite,
    m,
    russian_caregiver_joins,
    said,
    taipei,
    tg,
    tick,
)
from tests.support import LINE_USER, TELEGRAM_USER, fake_container, registered_store, serving


@pytest.fixture
def c():
    container = fake_container()
    container.__dict__["store"] = registered_store()
    container.__dict__["clock"] = FixedClock(START)
    with serving(container):
        yield container


ME = str(TELEGRAM_USER)
KEYS = ("circle.refill.low", "circle.refill.today", "circle.refill.out")


@pytest.fixture
def on_firestore(firestore_project):
    """The real adapter on the Firestore emulator (transactions read before they write)."""
    from shared.adapters.firestore_store import FirestoreStore

    container = fake_container()
    container.__dict__["clock"] = FixedClock(START)
    container.__dict__["store"] = FirestoreStore(project=firestore_project)
    with serving(container):
        yield container


def patient_counting(c, count: int, *, second: str = "omeprazole 20 mg at 20:00") -> None:
    """A Telegram patient (en, Taipei) on 1 metformin tablet at 08:00 and 20:00, with
    `count` tablets, and another medicine."""
    tg(c, data="mode:med")
    tg(c, data="med:tz:Asia/Taipei")
    tg(c, "add metformin 1 tablet at 08:00 and 20:00")
    tg(c, f"add {second}")
    tg(c, f"I have {count} tablets of metformin")


def take_from_reminder(c, when) -> str:
    """The reminder due at `when`, its metformin answered Taken (the other medicine's
    dose of the day before may still be listed with it); the button's data."""
    tick(c, when)
    reminder = [x for x in m(c, Channel.TELEGRAM).messages_to(ME) if isinstance(x, Text)
                and any(b.data.startswith("rt:") for b in x.buttons)][-1]
    taken = [b for b in reminder.buttons if b.data.startswith("rt:")]
    data = next((b.data for b in taken if b.label.endswith("metformin")), taken[0].data)
    tg(c, data=data)
    return data


def refills_to(c, channel: Channel, chat: str, lang: str) -> list[str]:
    """The caregiver's refill lines (any of the three texts, any name / medicine)."""
    starts = {t(lang, key, name="\0", medicine="\0", count=2).split("\0", 1)[0]
              for key in KEYS}
    return [x for x in said(c, channel, chat) if any(x.startswith(s) for s in starts)
            and ("metformin" in x or "omeprazole" in x)]


def test_a_caregiver_on_the_other_app_hears_once_in_their_language_when_it_runs_low(c):
    patient_counting(c, 16)  # 8 days at 2 a day
    russian_caregiver_joins(c, invite(c, "Бабушка Ли"))
    taken = take_from_reminder(c, taipei(3, 8))  # 15 left: 7 days, the threshold
    assert any(x.startswith(t("en", "supply.low", name="metformin", left="15", days=7)[:20])
               for x in said(c, Channel.TELEGRAM, ME))  # the patient's own reminder
    expected = t("ru", "circle.refill.low", name="Бабушка Ли", medicine="metformin", count=7)
    assert refills_to(c, Channel.LINE, LINE_USER, "ru") == [expected]
    tg(c, data=taken)  # the same button again, and the next doses: nothing more
    take_from_reminder(c, taipei(3, 20))
    tg(c, "I took metformin")
    assert refills_to(c, Channel.LINE, LINE_USER, "ru") == [expected]
    for leak in ("15", "14", "1 tablet", "таблет", "omeprazole", "20 mg", ME):
        assert leak not in expected, leak


def test_on_the_firestore_emulator_too(on_firestore):
    c = on_firestore
    patient_counting(c, 16)
    russian_caregiver_joins(c, invite(c, "Бабушка Ли"))
    taken = take_from_reminder(c, taipei(3, 8))
    tg(c, data=taken)
    expected = t("ru", "circle.refill.low", name="Бабушка Ли", medicine="metformin", count=7)
    assert refills_to(c, Channel.LINE, LINE_USER, "ru") == [expected]


def test_a_typed_take_tells_them_too_and_logs_name_nobody(c, caplog, monkeypatch):
    caplog.set_level("DEBUG")
    queued: list[str] = []
    enqueue = c.tasks.enqueue

    def spy(queue, payload, **kwargs):
        if str(payload.get("kind") or "").startswith("refill"):
            queued.append(str(payload))
        return enqueue(queue, payload, **kwargs)

    monkeypatch.setattr(c.tasks, "enqueue", spy)
    patient_counting(c, 16)
    code = invite(c, "Бабушка Ли")
    russian_caregiver_joins(c, code)
    tick(c, taipei(3, 8))
    tg(c, "I took metformin")  # the medication feature's take path, not the button
    assert refills_to(c, Channel.LINE, LINE_USER, "ru") == [
        t("ru", "circle.refill.low", name="Бабушка Ли", medicine="metformin", count=7)]
    assert len(queued) == 2  # "refill", then "refill_one" for the one caregiver
    for leak in ("metformin", "Бабушка", "tablet", "'15'"):
        assert leak not in "\n".join(queued), leak
    # The dialog's follow-up carries its usual envelope (the patient's chat, for its
    # erasure check and replies); the caregiver's task does not.
    assert "chat_id" not in queued[1] and "reply_token" not in queued[1]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "care refill due" in logged  # the care worker's log is seen here
    for secret in ("Бабушка", "metformin", code):
        assert secret not in logged, secret


def test_running_out_is_told_once_and_a_refill_starts_afresh(c):
    patient_counting(c, 2)  # 1 day: the patient is told when they type it, not then
    tg(c, f"/start cg_{invite(c, 'Dad')}", user=SECOND_TG)  # a Telegram caregiver (en)
    take_from_reminder(c, taipei(3, 8))  # 1 left: the patient knew already
    assert refills_to(c, Channel.TELEGRAM, str(SECOND_TG), "en") == []
    take_from_reminder(c, taipei(3, 20))  # none left
    tg(c, "I took metformin")  # nothing more to count, nothing more to say
    out = t("en", "circle.refill.out", name="Dad", medicine="metformin")
    assert refills_to(c, Channel.TELEGRAM, str(SECOND_TG), "en") == [out]
    tg(c, "I have 16 tablets of metformin")  # a refill: the next low is news again
    take_from_reminder(c, taipei(4, 8))
    again = t("en", "circle.refill.low", name="Dad", medicine="metformin", count=7)
    assert refills_to(c, Channel.TELEGRAM, str(SECOND_TG), "en") == [out, again]


def test_a_caregiver_the_patient_does_not_share_refills_with_hears_nothing(c):
    patient_counting(c, 16)
    russian_caregiver_joins(c, invite(c))
    tg(c, f"/start cg_{invite(c)}", user=SECOND_TG)
    lid = next(p.rsplit("/", 1)[1] for p, d in c.store.query("care_links")
               if d["caregiver_id"] == f"line-{LINE_USER}")
    tg(c, data=f"cgone:{lid}")
    card = m(c, Channel.TELEGRAM).messages_to(ME)[-1]
    assert isinstance(card, Text)
    assert t("en", "circle.share.refills") in card.text  # on by default
    assert f"cgsh:{lid}:refills" in [b.data for b in card.buttons]
    tg(c, data=f"cgsh:{lid}:refills")
    changed = said(c, Channel.TELEGRAM, ME)[-1]
    assert changed.startswith("Changed.") and t("en", "circle.share.refills") not in changed
    take_from_reminder(c, taipei(3, 8))
    assert refills_to(c, Channel.LINE, LINE_USER, "ru") == []
    assert refills_to(c, Channel.TELEGRAM, str(SECOND_TG), "en") == [
        t("en", "circle.refill.low", name="Grandma Li", medicine="metformin", count=7)]


def test_a_patient_without_caregivers_queues_nothing_for_the_circle(c, monkeypatch):
    kinds: list[str] = []
    enqueue = c.tasks.enqueue

    def spy(queue, payload, **kwargs):
        kinds.append(str(payload.get("kind") or ""))
        return enqueue(queue, payload, **kwargs)

    monkeypatch.setattr(c.tasks, "enqueue", spy)
    patient_counting(c, 16)
    take_from_reminder(c, taipei(3, 8))
    assert any(x.startswith(t("en", "supply.low", name="metformin", left="15", days=7)[:20])
               for x in said(c, Channel.TELEGRAM, ME))
    assert [k for k in kinds if k.startswith("refill")] == []
    russian_caregiver_joins(c, invite(c))  # with a caregiver, the next refill's low does
    tg(c, "I have 16 tablets of metformin")
    take_from_reminder(c, taipei(4, 8))
    assert [k for k in kinds if k.startswith("refill")] == ["refill", "refill_one"]


def test_a_refill_due_in_the_caregivers_night_waits_and_goes_only_if_still_low(c):
    tg(c, data="mode:med")
    tg(c, data="med:tz:Asia/Taipei")
    tg(c, "add metformin 1 tablet at 08:00 and 22:30")
    tg(c, "I have 16 tablets of metformin")
    tg(c, f"/start cg_{invite(c, 'Mum')}", user=SECOND_TG)
    tg(c, data="mode:med", user=SECOND_TG)
    tg(c, data="med:tz:Asia/Taipei", user=SECOND_TG)  # quiet 22:00-07:00 by default
    take_from_reminder(c, taipei(3, 22, 30))
    assert refills_to(c, Channel.TELEGRAM, str(SECOND_TG), "en") == []
    tick(c, taipei(4, 7, 0))
    assert refills_to(c, Channel.TELEGRAM, str(SECOND_TG), "en") == [
        t("en", "circle.refill.low", name="Mum", medicine="metformin", count=7)]


def test_a_patient_who_refilled_before_the_night_ended_causes_no_stale_message(c):
    tg(c, data="mode:med")
    tg(c, data="med:tz:Asia/Taipei")
    tg(c, "add metformin 1 tablet at 08:00 and 22:30")
    tg(c, "I have 16 tablets of metformin")
    tg(c, f"/start cg_{invite(c, 'Mum')}", user=SECOND_TG)
    tg(c, data="mode:med", user=SECOND_TG)
    tg(c, data="med:tz:Asia/Taipei", user=SECOND_TG)
    take_from_reminder(c, taipei(3, 22, 30))
    tg(c, "I have 60 tablets of metformin")
    tick(c, taipei(4, 7, 0))
    assert refills_to(c, Channel.TELEGRAM, str(SECOND_TG), "en") == []


def test_a_refill_waiting_for_the_night_to_end_dies_with_the_patients_erasure(c):
    tg(c, data="mode:med")
    tg(c, data="med:tz:Asia/Taipei")
    tg(c, "add metformin 1 tablet at 08:00 and 22:30")
    tg(c, "I have 16 tablets of metformin")
    tg(c, f"/start cg_{invite(c, 'Mum')}", user=SECOND_TG)
    tg(c, data="mode:med", user=SECOND_TG)
    tg(c, data="med:tz:Asia/Taipei", user=SECOND_TG)
    take_from_reminder(c, taipei(3, 22, 30))
    assert c.tasks.tasks  # the caregiver's message waits for 07:00
    tg(c, "delete my data")
    tg(c, data="del:yes")
    heard = len(said(c, Channel.TELEGRAM, str(SECOND_TG)))
    tick(c, taipei(4, 7, 0))
    assert refills_to(c, Channel.TELEGRAM, str(SECOND_TG), "en") == []
    assert len(said(c, Channel.TELEGRAM, str(SECOND_TG))) == heard  # nothing at all
