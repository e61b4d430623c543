"""Quiet hours as a patient says them (deterministic, pure): "no reminders after
23:00", "quiet hours 22-7", "не беспокоить с 22 до 7", "не напоминай после 23",
"晚上11點後不要提醒", "早上7點前不要提醒", "勿擾 22:00-07:00", "quiet hours off".

A sentence is read only when it says both that reminders should stop (a "no
reminders / do not disturb" phrase) and when. One time after "after / from / с /
после" (or before "後 / 以後" in Chinese) starts the quiet hours; one after "before /
until / до" (or before "前 / 以前") ends them; two times are start and end. A bare hour
that starts the night ("after 11") is read as evening; the answer states the hours it
set, so a misreading is seen at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shared.medication.text import clean, fold
from shared.medication.times import ClockTime, match_time

_STOP: Final = re.compile(
    r"\b(?:no|not|don'?t|do not|stop|without|quiet|silence|silent|mute)\b.*?"
    r"\b(?:remind\w*|disturb\w*|messages?|notifications?|hours?|pings?)\b"
    r"|quiet hours|do not disturb|не беспоко\w*|не напомина\w*|не присылай\w*|без напоминани\w*"
    r"|тих\w+ час\w*|не тревож\w*"
    r"|不要提醒|別提醒|不用提醒|不需要提醒|勿擾|不要打擾|別打擾|安靜時段|靜音時段|免打擾"
)
_OFF: Final = re.compile(
    r"(?:quiet hours|do not disturb)\s+(?:off|none)|no quiet hours|turn off quiet hours"
    r"|(?:выключи|отключи|убери)\w*\s+тих\w+ час\w*|без тихих часов"
    r"|(?:關閉|取消)(?:勿擾|安靜時段|免打擾)"
)
_BEFORE_START: Final = re.compile(r"(?:after|from|past|since|с|со|после|от)\s*$")
_BEFORE_END: Final = re.compile(r"(?:before|until|till|to|up to|and|до|по|и|-|–|到|至)\s*$")
_AFTER_START: Final = re.compile(r"^\s*(?:以後|之後|後|过后|起|開始)")
_AFTER_END: Final = re.compile(r"^\s*(?:以前|之前|前)")


@dataclass(frozen=True)
class QuietChange:
    """What the sentence sets: start and/or end ("HH:MM"; None: kept as it is), or
    off (no quiet hours)."""

    start: str | None = None
    end: str | None = None
    off: bool = False


def parse_quiet_hours(text: str) -> QuietChange | None:
    folded = " ".join(fold(clean(text)).split())
    if _OFF.search(folded):
        return QuietChange(off=True)
    if not _STOP.search(folded):
        return None
    found = _times(folded)
    if not found or len(found) > 2:
        return None
    if len(found) == 2:
        (first, _, _), (second, _, _) = found
        return QuietChange(_hhmm(first, start=True), _hhmm(second, start=False))
    clock, start, end = found[0]
    before, after = folded[:start], folded[end:]
    if _BEFORE_START.search(before) or _AFTER_START.search(after):
        return QuietChange(start=_hhmm(clock, start=True))
    if _BEFORE_END.search(before) or _AFTER_END.search(after):
        return QuietChange(end=_hhmm(clock, start=False))
    return None


def _times(folded: str) -> list[tuple[ClockTime, int, int]]:
    found: list[tuple[ClockTime, int, int]] = []
    pos = 0
    while pos < len(folded):
        starts_word = pos == 0 or not folded[pos - 1].isalnum() or not folded[pos].isascii()
        match = match_time(folded, pos, allow_bare=True) if starts_word else None
        if match is not None and match[1] > pos:
            found.append((match[0], pos, match[1]))
            pos = match[1]
        else:
            pos += 1
    return found


def _hhmm(clock: ClockTime, *, start: bool) -> str:
    hour = clock.hour
    if start and clock.period is None and 6 <= hour <= 11 and not clock.has_minutes:
        hour += 12  # "after 11" at night: 23:00
    return f"{hour % 24:02d}:{clock.minute:02d}"
