"""The supply feature's typed words through the intent reader (pure): counts on hand are
medication readings in every mode, the report for the doctor is a request in every mode
but a translation conversation; what only looks like them is not."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from shared.bootstrap import registry
from shared.domain.channels import Channel
from shared.domain.events import InboundEvent
from shared.domain.reading import Mode, Screen, read_text
from shared.fakes.memory_store import MemoryStore
from shared.features.medication import _Commands
from shared.features.medication.repository import MedicationRepository
from shared.medication.refill import RefillCommand

NAMES = ("metformin", "二甲雙胍", "метформин")


def parse(text: str, names: Sequence[str]) -> object:
    return _Commands(MedicationRepository(MemoryStore())).parse(text, names)


def label(text: str, mode: Mode = Mode.MENU) -> str:
    return read_text(text, Screen(mode=mode, medicines=NAMES), parse).label  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [
    "report for my doctor", "Report for my doctor, please", "make me a report for the doctor",
    "doctor report", "medication report", "/report", "給醫生的報告", "幫我做給醫生看的報告",
    "用藥報告", "отчёт для врача", "Сделай отчет для врача", "отчет о приеме лекарств",
])
@pytest.mark.parametrize("mode", [Mode.MENU, Mode.MEDICATION, Mode.EDUCATION])
def test_the_report_is_asked_for_in_words(text, mode):
    assert label(text, mode) == "request:report"


@pytest.mark.parametrize("text", ["report for my doctor", "給醫生的報告", "отчёт для врача"])
def test_said_to_the_clinician_in_a_translation_it_is_translated(text):
    assert label(text, Mode.TRANSLATION) == "free"


@pytest.mark.parametrize("text", ["weekly report", "report", "my doctor", "報告",
                                  "the doctor said my report was fine"])
def test_what_only_looks_like_a_report_request_is_not_one(text):
    assert label(text) != "request:report"


@pytest.mark.parametrize(("text", "mode"), [
    ("I have 30 tablets of metformin", Mode.MENU), ("二甲雙胍還有30顆", Mode.EDUCATION),
    ("у меня 30 таблеток метформина", Mode.MEDICATION), ("refill metformin 60", Mode.MENU)])
def test_counts_are_medication_readings_routed_to_the_supply_feature(text, mode):
    reading = read_text(text, Screen(mode=mode, medicines=NAMES), parse)  # type: ignore[arg-type]
    assert reading.label == "medication:refill"
    assert isinstance(reading.command, RefillCommand)
    event = InboundEvent(event_id="e1", channel=Channel.TELEGRAM, user_id="1", chat_id="1",
                         kind="text",
                         text=text)
    assert registry().dialog.read(event, "menu", parse=parse,  # type: ignore[arg-type]
                                  medicines=NAMES) == ("supply.refill", text)


def test_a_schedule_command_is_still_the_medication_features():
    assert label("add metformin 1 tablet at 08:00") == "medication:add"
    assert label("I took 2 tablets") != "medication:refill"
