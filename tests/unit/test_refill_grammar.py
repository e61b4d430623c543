"""The count-on-hand grammar (shared/medication/refill.py) in zh-TW, en and ru: what it
reads, the near misses it must leave alone, and which doses are a count."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shared.medication import parse_command
from shared.medication.refill import RefillCommand, dose_units, parse_refill

NAMES = ["metformin", "Lipitor", "二甲雙胍", "метформин", "omeprazole"]


@pytest.mark.parametrize(("text", "name", "count"), [
    ("I have 30 tablets of metformin", "metformin", 30),
    ("i've got 12 pills of my metformin", "metformin", 12),
    ("refill metformin 60", "metformin", 60),
    ("Refilled metformin with 90 tablets.", "metformin", 90),
    ("metformin refill 90", "metformin", 90),
    ("30 tablets left of metformin", "metformin", 30),
    ("I have 30 metformin left", "metformin", 30),
    ("I have 30 metformin", "metformin", 30),  # a known name needs no unit
    ("only 5 Lipitor left", "Lipitor", 5),
    ("I bought 60 tablets of metformin", "metformin", 60),
    ("I have 0 tablets of metformin", "metformin", 0),
    ("I have 30 tablets of metformi", "metformin", 30),  # one slip in a long word
    ("二甲雙胍還有30顆", "二甲雙胍", 30),
    ("二甲雙胍 還有 三十 顆", "二甲雙胍", 30),
    ("我還有30顆二甲雙胍", "二甲雙胍", 30),
    ("二甲雙胍剩20顆", "二甲雙胍", 20),
    ("補藥二甲雙胍60顆", "二甲雙胍", 60),
    ("у меня 30 таблеток метформина", "метформин", 30),
    ("осталось 20 таблеток метформина", "метформин", 20),
    ("Метформина осталось 20 таблеток", "метформин", 20),
    ("пополнил метформин 60", "метформин", 60),
])
def test_reads_a_count_of_a_known_medicine(text, name, count):
    assert parse_refill(text, NAMES) == RefillCommand(name, count, known=True)


@pytest.mark.parametrize(("text", "name"), [
    ("I have 30 tablets of ibuprofen", "ibuprofen"),
    ("у меня 30 таблеток ибупрофена", "ибупрофен"),
    ("布洛芬還有30顆", "布洛芬"),
])
def test_a_medicine_not_on_the_list_comes_back_unknown(text, name):
    assert parse_refill(text, NAMES) == RefillCommand(name, 30, known=False)


@pytest.mark.parametrize("text", [
    "I have 10 tablets left", "осталось 10 таблеток", "我還有10顆",
])
def test_a_count_without_a_name_has_no_name(text):
    assert parse_refill(text, NAMES) == RefillCommand(None, 10, known=False)


def test_refilled_without_a_number_is_asked():
    assert parse_refill("I refilled metformin", NAMES) == RefillCommand("metformin", None, True)


@pytest.mark.parametrize("text", [
    "I took 2 tablets", "I took 2 tablets of metformin", "я принял 2 таблетки",
    "我吃了2顆", "I have 3 children", "i have 2 questions", "у меня 2 вопроса",
    "我有兩個問題", "metformin 30", "aspirin 100", "add metformin 1 tablet at 08:00",
    "I have 2 tablets at 8:00", "I have a headache", "metformin 500 mg",
    "у меня болит голова", "二甲雙胍 1顆 08:00", "", "refill", "I have 99999 tablets of metformin",
])
def test_near_misses_are_not_counts(text):
    assert parse_refill(text, NAMES) is None


def test_a_name_one_edit_from_a_known_one_is_never_taken_for_it():
    # 二甲雙胍 vs 二甲双胍 are one character apart: only the patient can say.
    assert parse_refill("二甲双胍還有30顆", ["二甲雙胍"]) is None


@pytest.mark.parametrize("text", [
    "I have 30 tablets of metformin", "二甲雙胍還有30顆", "у меня 30 таблеток метформина",
    "refill metformin 60"])
def test_no_count_is_a_schedule_command(text):
    assert parse_command(text, NAMES) is None


@pytest.mark.parametrize(("dosage", "units"), [
    ("1 tablet", Fraction(1)), ("2 tablets", Fraction(2)), ("1顆", Fraction(1)),
    ("2粒", Fraction(2)), ("1/2 таблетки", Fraction(1, 2)), ("0.5 tablet", Fraction(1, 2)),
    ("2 капсулы", Fraction(2)), ("1 tablet 500 mg", Fraction(1)), ("1 capsule", Fraction(1)),
])
def test_doses_that_are_a_count(dosage, units):
    assert dose_units(dosage) == units


@pytest.mark.parametrize("dosage", ["500 mg", "5 ml", "100毫克", "", None, "2 puffs",
                                    "10 drops", "0 tablets"])
def test_doses_that_are_not_a_count(dosage):
    assert dose_units(dosage) is None
