"""The parser reads "when did I last take X?" (issue 14, as needed) in zh-TW, en and ru:
known medications only, nothing else in the sentence; "did I take X?" stays unread (a
question is never a report of a dose)."""

from __future__ import annotations

import pytest

from shared.medication import parse_command

KNOWN = ["ibuprofen", "aspirin", "布洛芬", "普拿疼", "ибупрофен", "Но-шпа"]


@pytest.mark.parametrize(("text", "name"), [
    ("when did I last take ibuprofen?", "ibuprofen"),
    ("When did I last take my ibuprofen", "ibuprofen"),
    ("when did i take aspirin last?", "aspirin"),
    ("when did I have ibuprofen the last time?", "ibuprofen"),
    ("when was my last dose of ibuprofen?", "ibuprofen"),
    ("when was the last time i took aspirin?", "aspirin"),
    ("Ibuprofen: when did I last take it?", None),
    ("上次吃布洛芬是什麼時候", "布洛芬"),
    ("我上次吃布洛芬是什麼時候？", "布洛芬"),
    ("最後一次服用普拿疼是幾點？", "普拿疼"),
    ("什麼時候吃了布洛芬？", "布洛芬"),
    ("когда я последний раз пил ибупрофен", "ибупрофен"),
    ("Когда я в последний раз принимала ибупрофен?", "ибупрофен"),
    ("когда я пил ибупрофен последний раз?", "ибупрофен"),
    ("когда я последний раз принимал но-шпу?", "Но-шпа"),
])
def test_when_did_i_last_take_names_a_known_medication(text: str, name: str | None) -> None:
    command = parse_command(text, KNOWN)
    if name is None:
        assert command is None or command.kind != "last_taken"
        return
    assert command is not None and command.kind == "last_taken"
    assert [i.name for i in command.items] == [name]
    assert command.items[0].times == [] and command.items[0].dosage is None


@pytest.mark.parametrize("text", [
    "when did I last take paracetamol?",  # not on the list: never a guess
    "when did I last take ibuprofen 400 mg?",  # a dose in a question about the last one
    "when did I last take ibuprofen at 8?",
    "did I take ibuprofen?",
    "上次吃普拿疼是什麼時候吃了",
    "когда я последний раз пил парацетамол",
])
def test_anything_else_is_not_read_as_last_taken(text: str) -> None:
    command = parse_command(text, KNOWN)
    assert command is None or command.kind != "last_taken"


def test_a_report_is_still_a_report() -> None:
    for text in ("took ibuprofen", "我吃了布洛芬了", "выпил ибупрофен"):
        command = parse_command(text, KNOWN)
        assert command is not None and command.kind == "done"
