"""Long option lists page by page (domain/paging.py); confirmations as one message
(domain/messages.coalesce)."""

from __future__ import annotations

import pytest

from shared.domain.messages import Audio, Button, Text, coalesce
from shared.domain.paging import page_buttons, page_of


def options(n: int) -> list[Button]:
    return [Button(label=f"option {i}", data=f"o:{i}") for i in range(n)]


def nav(number: int, pages: int) -> Button:
    return Button(label=f"-> {number + 1}/{pages}", data=f"p:{number}")


def test_a_list_that_fits_is_one_page_without_a_page_button():
    page = page_of(options(13), 0)
    assert (len(page.items), page.pages, page.next) == (13, 1, None)
    assert page_buttons(page, [], nav) == options(13)


def test_a_longer_list_pages_and_every_option_is_on_exactly_one_page():
    items = options(30)
    seen: list[Button] = []
    number = 0
    for _ in range(3):
        page = page_of(items, number)
        buttons = page_buttons(page, [], nav)
        assert len(buttons) <= 13
        seen += page.items
        assert page.next is not None
        number = page.next
    assert seen == items
    assert number == 0  # the last page leads back to the first
    assert page_buttons(page_of(items, 2), [], nav)[-1].data == "p:0"


def test_fixed_buttons_are_on_every_page():
    everything = Button(label="All", data="all")
    for number in range(3):
        buttons = page_buttons(page_of(options(25), number, fixed=1), [everything], nav)
        assert len(buttons) <= 13 and everything in buttons


def test_an_unknown_page_number_is_the_first_page():
    assert page_of(options(30), 99).number == 0
    assert page_of(options(30), -1).number == 0


def test_no_room_is_an_error():
    with pytest.raises(ValueError):
        page_of(options(30), 0, fixed=12)


def test_consecutive_confirmations_become_one_message():
    merged = coalesce([Text(text="Saved aspirin."), Text(text="Saved metformin."),
                       Text(text="Saved ibuprofen.", buttons=[Button(label="Menu", data="m")])])
    assert merged == [Text(text="Saved aspirin.\n\nSaved metformin.\n\nSaved ibuprofen.",
                           buttons=[Button(label="Menu", data="m")])]


def test_a_question_with_buttons_and_other_messages_stay_apart():
    question = Text(text="Which one?", buttons=[Button(label="A", data="a")])
    audio = Audio(url="https://x/a.m4a", duration_ms=1000)
    assert coalesce([question, Text(text="next")]) == [question, Text(text="next")]
    assert coalesce([Text(text="a"), audio, Text(text="b")]) == [
        Text(text="a"), audio, Text(text="b")]
    long = Text(text="x" * 4000)
    assert len(coalesce([long, Text(text="y" * 200)])) == 2  # would not fit one message
