"""Button labels that tell their options apart (shared/domain/labels.py)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.labels import fit_labels, fold
from shared.domain.text_split import utf16_len

ER = "Metformin hydrochloride extended-release 500 mg"
IR = "Metformin hydrochloride immediate-release 850 mg"


def distinct(labels: list[str]) -> bool:
    return len({fold(label) for label in labels}) == len(labels)


def test_labels_that_fit_stay_as_they_are():
    fitted = fit_labels(["Aspirin 100 mg", "08:00", "All of them"], 20)
    assert fitted.labels == ["Aspirin 100 mg", "08:00", "All of them"]
    assert fitted.legend == []


def test_two_strengths_of_one_medicine_keep_their_strengths_on_line():
    # Issue 20: both read "Metformin hydrochlor" before.
    fitted = fit_labels([ER, IR], 20)
    assert fitted.labels == ["Metformin…500 mg", "Metformin…850 mg"]
    assert fitted.legend == []


def test_i_took_buttons_keep_the_time_and_the_strength():
    fitted = fit_labels([f"08:00 {ER}", f"08:00 {IR}", "All of them"], 20)
    first, second, everything = fitted.labels
    assert first.startswith("08:00 Metform") and first.endswith("500 mg")
    assert second.startswith("08:00 Metform") and second.endswith("850 mg")
    assert everything == "All of them"
    assert all(utf16_len(label) <= 20 for label in fitted.labels)


def test_flex_buttons_get_forty_characters_and_keep_more_of_the_difference():
    fitted = fit_labels([ER, IR], 40)
    assert fitted.labels == ["Metformin…extended-release 500 mg",
                             "Metformin…immediate-release 850 mg"]


def test_same_strength_different_release_keeps_the_release():
    fitted = fit_labels(["Metformin hydrochloride extended-release 500 mg",
                         "Metformin hydrochloride immediate-release 500 mg"], 20)
    assert "extended" in fitted.labels[0] and "immediate" in fitted.labels[1]
    assert distinct(fitted.labels)


def test_cyrillic_names():
    fitted = fit_labels(["Метформина гидрохлорид пролонгированного действия 500 мг",
                         "Метформина гидрохлорид немедленного высвобождения 850 мг"], 20)
    assert fitted.labels == ["Метформина…500 мг", "Метформина…850 мг"]


def test_cjk_names_without_spaces():
    fitted = fit_labels(["鹽酸二甲雙胍緩釋錠劑長效型五百毫克 500毫克",
                         "鹽酸二甲雙胍緩釋錠劑長效型五百毫克 850毫克"], 20)
    assert [label[-5:] for label in fitted.labels] == ["500毫克", "850毫克"]
    assert all(utf16_len(label) <= 20 for label in fitted.labels)
    timed = fit_labels(["12:00 二甲雙胍緩釋錠劑長效型 500毫克",
                        "12:00 二甲雙胍速釋錠劑短效型 850毫克"], 20).labels
    assert timed[0].startswith("12:00") and "緩釋" in timed[0] and "500" in timed[0]
    assert timed[1].startswith("12:00") and "速釋" in timed[1] and "850" in timed[1]


def test_names_that_read_alike_are_numbered_with_a_legend():
    fitted = fit_labels(["Aspirin", "aspirin", "Aspirin 100 mg"], 20)
    assert fitted.labels == ["1. Aspirin", "2. aspirin", "Aspirin 100 mg"]
    assert fitted.legend == ["1. Aspirin", "2. aspirin"]
    longer = fit_labels([ER, ER + " tablets"], 20)
    assert [label[:3] for label in longer.labels] == ["1. ", "2. "]
    assert longer.legend == [f"1. {ER}", f"2. {ER} tablets"]


def test_a_cut_that_differs_only_just_before_the_ellipsis_is_not_enough():
    labels = ["Amoxicillin clavulanate 500 mg tablets", "Amoxicillin clavulanate 550 mg tablets"]
    fitted = fit_labels(labels, 20).labels
    assert "500" in fitted[0] and "550" in fitted[1]


def test_twenty_medicines_with_long_shared_names():
    names = [f"Metformin hydrochloride extended-release {100 + 50 * i} mg" for i in range(20)]
    fitted = fit_labels(names, 20)
    assert distinct(fitted.labels)
    assert all(utf16_len(label) <= 20 for label in fitted.labels)
    assert [label.split("…")[-1] for label in fitted.labels] == [
        f"{100 + 50 * i} mg" for i in range(20)]


_WORDS = st.sampled_from(["Metformin", "hydrochloride", "500", "850", "mg", "08:00", "ER",
                          "二甲雙胍", "毫克", "Метформин", "мг", "extended-release", "😀",
                          "e\u0301", "tablets", "aspirin", "ASPIRIN"])


@settings(max_examples=300, deadline=None)
@given(labels=st.lists(st.lists(_WORDS, min_size=1, max_size=8).map(" ".join),
                       min_size=1, max_size=13),
       limit=st.sampled_from([20, 40, 64]))
def test_property_labels_fit_and_never_read_alike(labels: list[str], limit: int):
    fitted = fit_labels(labels, limit)
    assert len(fitted.labels) == len(labels)
    assert all(utf16_len(label) <= limit for label in fitted.labels)
    assert distinct(fitted.labels)
    assert all(label.strip() for label in fitted.labels)
    for line in fitted.legend:  # every numbered option is listed in full
        number, _, full = line.partition(". ")
        assert full in labels and any(f.startswith(f"{number}. ") for f in fitted.labels)
