"""The care circle's pure rules: invite codes, who may claim one, when a dose counts as
unanswered, caregivers' quiet hours, the invite links, and what the intent reader
makes of typed invites and codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain import invite_codes
from shared.domain.reading import Global, Layer, Mode, Question, Screen, read_text
from shared.features.circle.dialog import KINDS, app_links
from shared.features.circle.model import (
    MAX_CAREGIVERS,
    Invite,
    JoinRefusal,
    Share,
    SlotAnswer,
    alert_id,
    clean_name,
    quiet_until,
    refusal,
    unanswered,
)
from shared.features.medication.policy import NO_QUIET, QuietHours

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def test_codes_are_8_unambiguous_characters_with_a_letter_and_a_digit_and_random():
    codes = {invite_codes.generate() for _ in range(2000)}
    assert len(codes) == 2000  # no repeats in 2,000 (31^8 possible)
    for code in codes:
        assert len(code) == 8 and invite_codes.well_formed(code)
        assert not set(code) & set("01OIL")
        assert invite_codes.read(code) == code


@pytest.mark.parametrize(("typed", "code"), [
    ("k7pm3q9x", "K7PM3Q9X"), ("K7PM 3Q9X", "K7PM3Q9X"), (" k7pm-3q9x ", "K7PM3Q9X"),
    ("cg_K7PM3Q9X", "K7PM3Q9X"), ("A2B3CD", "A2B3CD"), ("ABCD2345EF", "ABCD2345EF"),
])
def test_typed_codes_are_read_tolerantly(typed: str, code: str):
    assert invite_codes.read(typed) == code


@pytest.mark.parametrize("typed", [
    "ABCDEFGH",  # no digit
    "23456789",  # no letter
    "AB2C",  # too short
    "ABCD2345EFG",  # too long
    "covid19", "COVID-19", "omega3", "vitamin b12",  # outside the alphabet / not one word
    "K7PM3Q9X please", "код K7PM3Q9X",
    # A word and a number, or a sentence: said to a clinician, asked about, typed.
    "message 2", "page 42", "ward 2345", "2345 ward", "take 2 at 8", "K7PM 3Q 9X",
])
def test_other_words_are_not_codes(typed: str):
    assert invite_codes.read(typed) is None


def test_codes_are_stored_as_a_hash():
    assert invite_codes.digest("K7PM3Q9X") != invite_codes.digest("K7PM3Q9Y")
    assert "K7PM3Q9X" not in invite_codes.digest("K7PM3Q9X")


def test_who_may_claim_an_invite():
    invite = Invite("telegram-1", "Mum", NOW + timedelta(hours=1))
    assert refusal(None, "line-U1", NOW, 0, False) is JoinRefusal.UNKNOWN
    assert refusal(invite, "telegram-1", NOW, 0, False) is JoinRefusal.SELF
    assert refusal(invite, "line-U1", NOW, 0, False) is None
    assert refusal(invite, "line-U1", NOW + timedelta(hours=1), 0, False) is JoinRefusal.EXPIRED
    used = Invite("telegram-1", "Mum", NOW + timedelta(hours=1), used=True, claimed_by="x")
    assert refusal(used, "line-U1", NOW, 0, False) is JoinRefusal.USED
    assert refusal(invite, "line-U1", NOW, 1, True) is JoinRefusal.ALREADY
    assert refusal(invite, "line-U1", NOW, MAX_CAREGIVERS - 1, False) is None
    assert refusal(invite, "line-U1", NOW, MAX_CAREGIVERS, False) is JoinRefusal.FULL


def test_a_dose_slot_is_unanswered_while_pending_or_recorded_missed():
    slot = "2026-05-04T00:00:00+00:00"
    assert unanswered(slot, None, slot) is SlotAnswer.OPEN
    assert unanswered("2026-05-04T12:00:00+00:00", "missed", slot) is SlotAnswer.OPEN
    assert unanswered(slot, "taken", slot) is SlotAnswer.ANSWERED
    assert unanswered(None, "skipped", slot) is SlotAnswer.ANSWERED
    assert unanswered("2026-05-05T00:00:00+00:00", None, slot) is SlotAnswer.GONE
    assert unanswered(None, None, slot) is SlotAnswer.GONE


def test_alert_ids_are_one_per_dose_slot_and_caregiver():
    a = alert_id("d1", "s1", "line-U1")
    assert a == alert_id("d1", "s1", "line-U1")
    assert len({a, alert_id("d1", "s2", "line-U1"), alert_id("d1", "s1", "line-U2"),
                alert_id("d2", "s1", "line-U1")}) == 4


def test_an_alert_in_quiet_hours_waits_for_their_end_in_the_caregivers_zone():
    taipei = ZoneInfo("Asia/Taipei")
    night = datetime(2026, 5, 4, 23, 10, tzinfo=taipei)
    assert quiet_until(night, None, taipei) == datetime(2026, 5, 5, 7, 0, tzinfo=taipei)
    assert quiet_until(night.replace(hour=20), None, taipei) is None
    own = QuietHours("21:00", "06:30")
    assert quiet_until(night, own, taipei) == datetime(2026, 5, 5, 6, 30, tzinfo=taipei)
    assert quiet_until(night, NO_QUIET, taipei) is None


def test_names_are_one_line_and_not_a_bare_number():
    assert clean_name("  Grandma\n Li ") == "Grandma Li"
    assert clean_name("1234") is None and clean_name("   ") is None
    assert len(clean_name("x" * 100) or "") == 40


def test_invite_links_for_each_app():
    links = app_links("https://t.me/medbot_bot", "https://line.me/R/ti/p/%40medbot", "K7PM3Q9X")
    assert links == {"telegram": "https://t.me/medbot_bot?start=cg_K7PM3Q9X",
                     "line": "https://line.me/R/oaMessage/%40medbot/?K7PM3Q9X"}
    assert app_links(None, None, "K7PM3Q9X") == {}


def test_button_data_fits_the_grammar():
    lid = "a" * 40
    assert KINDS["share"].read(KINDS["share"].data(lid, Share.SUMMARY.value)) == (
        lid, "summary")
    assert KINDS["share"].read(f"cgsh:{lid}:leaflets") is None  # never shareable
    assert KINDS["called"].read("cgok:../x") is None


@pytest.mark.parametrize(("text", "name"), [
    ("invite a caregiver", Global.INVITE), ("Invite my family", Global.INVITE),
    ("邀請家人", Global.INVITE), ("пригласить опекуна", Global.INVITE),
    ("my caregivers", Global.CIRCLE), ("мои опекуны", Global.CIRCLE),
    ("我的照顧者", Global.CIRCLE),
])
def test_invites_and_the_circle_are_global_commands(text: str, name: str):
    for mode in Mode:
        reading = read_text(text, Screen(mode=mode), lambda _t, _n: None)
        assert (reading.layer, reading.name) == (Layer.GLOBAL, name), mode


def test_a_typed_code_is_read_in_any_mode_even_with_a_question_open():
    for mode in Mode:
        screen = Screen(mode=mode, question=Question.TEXT)
        reading = read_text("k7pm 3q9x", screen, lambda _t, _n: None)
        assert (reading.layer, reading.name, reading.argument) == (
            Layer.GLOBAL, Global.JOIN, "K7PM3Q9X")
