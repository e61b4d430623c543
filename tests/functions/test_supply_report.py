"""Issue 15 item 5 through the real entry points, on fakes: "report for my doctor" typed
in the three languages (and the menu entry) queues the report worker, which answers
with a signed link to a PDF (WeasyPrint) of the last 30 days: per medicine the schedule,
on time / late / skipped / missed, the chart and the refills; the e-mail with the PDF
attached; the clear answers for an empty list and an empty history."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Cards, Text
from shared.ports import Filter
from tests.functions.test_supply_refills import (  # the same harness
    KEY,
    START,
    chat,
    last,
    messenger,
    reminders,
    say,
    setup,
    taipei,
    tick,
)
from tests.support import fake_container, registered_store, serving


@pytest.fixture
def c():
    container = fake_container()
    container.__dict__["store"] = registered_store()
    container.__dict__["clock"] = FixedClock(START)
    with serving(container):
        yield container


def report_link(c, channel=Channel.TELEGRAM) -> Cards:
    [cards] = [m for m in messenger(c, channel).messages_to(chat(channel))
               if isinstance(m, Cards)][-1:]
    return cards


def pdf_text(c, cards: Cards) -> str:
    data = c.blobs.open_signed_url(cards.cards[0].url)
    assert data is not None and data.startswith(b"%PDF")
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def answer_reminder(c, when, label_key):
    tick(c, when)
    reminder = reminders(c)[-1]
    button = next(b for b in reminder.buttons if b.label == t("en", label_key))
    say(c, data=button.data)


def test_the_report_counts_each_kind_and_shows_schedule_and_refills(c):
    setup(c)  # metformin 1 tablet at 08:00 and 20:00, Taipei
    say(c, "I have 30 tablets of metformin")
    answer_reminder(c, taipei(6, 8), "button.taken")  # on time
    c.clock.current = taipei(6, 20) + timedelta(minutes=1)
    tick(c, taipei(6, 20))
    answer_reminder(c, taipei(7, 8), "button.skip")  # the 20:00 slot closes missed at 08:00
    tick(c, taipei(7, 20))
    c.clock.current = taipei(7, 22)
    say(c, "took metformin")  # late (2 h after 20:00)
    say(c, "report for my doctor")
    cards = report_link(c)
    assert f"reports/{KEY}/" in cards.cards[0].url and "sig=" in cards.cards[0].url
    assert t("en", "report.ready", days=30, minutes=60) in [
        m.text for m in messenger(c).messages_to(chat(Channel.TELEGRAM))
        if isinstance(m, Text)]
    text = pdf_text(c, cards)
    flat = re.sub(r"\s+", " ", text)
    assert "metformin" in flat and "1 tablet" in flat and "every day at 08:00 and 20:00" in flat
    log = {d["status"] for _, d in c.store.query("dose_log", [Filter("user_id", "==", KEY)])}
    assert log == {"taken", "skipped", "missed"}
    # On time, late, skipped, missed (the 20:00 slots of the 5th and the 6th), all.
    assert re.search(r"On time Late Skipped Missed All doses 1 1 1 2 5", flat), flat
    assert "30 on hand" in flat and "On hand now: 28 (about 14 days)" in flat
    assert c.store.query("supplies")  # untouched by the report


@pytest.mark.parametrize(("language", "command", "ask", "name"), [
    ("zh-TW", "新增 二甲雙胍 1顆 08:00", "給醫生的報告", "二甲雙胍"),
    ("ru", "добавь метформин 1 таблетка в 08:00", "отчёт для врача", "метформин"),
])
def test_the_report_in_the_patients_language(c, language, command, ask, name):
    setup(c, command, language=language)
    say(c, data="menu", language=language)
    say(c, ask, language=language)
    cards = report_link(c)
    text = re.sub(r"\s", "", pdf_text(c, cards))
    assert name in text
    assert re.sub(r"\s", "", t(language, "report.title")) in text
    assert re.sub(r"\s", "", t(language, "report.empty", days=30))[:12] in text
    data = c.blobs.open_signed_url(cards.cards[0].url)
    fonts = {str(f.get_object()["/BaseFont"]) for p in PdfReader(io.BytesIO(data)).pages
             for f in p["/Resources"]["/Font"].values()}  # type: ignore[index]
    assert any("CJK" in name for name in fonts), fonts  # the handouts' Noto Sans CJK


def test_the_menu_entry_asks_for_the_report(c):
    setup(c)
    say(c, data="rp")
    assert "metformin" in pdf_text(c, report_link(c))


def test_no_medication_no_report(c):
    say(c, "report for my doctor")
    assert last(c).text == t("en", "report.no_medicines")
    assert not c.tasks.take(c.clock.now())  # nothing queued


def test_the_report_is_emailed_with_the_pdf_attached_and_the_address_forgotten(c):
    setup(c)
    say(c, "report for my doctor")
    cards = report_link(c)
    [mail] = [b for b in cards.buttons if b.data.startswith("rp:mail:")]
    say(c, data=mail.data)
    assert last(c).text == t("en", "report.email_ask")
    say(c, "not an address")
    assert last(c).text == t("en", "education.email_invalid")
    say(c, "doctor@example.org")
    assert last(c).text == t("en", "report.email_sent")
    [sent] = c.mailer.outbox
    assert sent.to == "doctor@example.org"
    [(_, data, mime)] = sent.attachments
    assert mime == "application/pdf" and data.startswith(b"%PDF")
    [(_, entry)] = c.store.query("mail_outbox", [Filter("user_id", "==", KEY)])
    assert entry["status"] == "sent" and entry["to"] == ""
