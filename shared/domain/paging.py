"""A list of options longer than one message holds, offered page by page (pure).

A message carries at most MAX_BUTTONS buttons (LINE's quick reply holds 13). A longer
list is never cut: each page shows as many options as fit besides the buttons every
page repeats (such as "All of them"), plus one button to the next page; the last page's
button leads back to the first. The caller makes the page button (its label and data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.domain.channels import MAX_BUTTONS
from shared.domain.messages import Button

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]  # this page's options
    number: int  # 0-based
    pages: int

    @property
    def next(self) -> int | None:
        """The page the page button leads to (0 after the last); None with one page."""
        return None if self.pages == 1 else (self.number + 1) % self.pages


def page_of(options: Sequence[T], number: int, *, fixed: int = 0,
            capacity: int = MAX_BUTTONS) -> Page[T]:
    """Page `number` (0-based; an unknown one is the first) of `options`, leaving room
    for `fixed` buttons that every page shows."""
    room = capacity - fixed
    if room < 2:
        raise ValueError("no room for options and a page button")
    if len(options) <= room:
        return Page(list(options), 0, 1)
    per_page = room - 1  # one place for the page button
    pages = -(-len(options) // per_page)
    number = number if 0 <= number < pages else 0
    return Page(list(options[number * per_page:(number + 1) * per_page]), number, pages)


def page_buttons(page: Page[Button], fixed: Sequence[Button],
                 page_button: Callable[[int, int], Button]) -> list[Button]:
    """The page's option buttons, the fixed ones, then the button to the next page
    (`page_button(next page number, page count)`)."""
    buttons = [*page.items, *fixed]
    if page.next is not None:
        buttons.append(page_button(page.next, page.pages))
    return buttons
