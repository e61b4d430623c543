"""Schedule maths for medication reminders (pure: no I/O, no clock): time zones,
wall times, the next occurrence of a wall time. The doses' state is the medication
model's (shared/features/medication/model.py).

Times are stored as the user's local wall-clock "HH:MM" plus a time-zone string
(an IANA name such as "Europe/Berlin", or a fixed offset such as "+03:00"); due
instants are always computed and stored in UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Language-based first guess offered as a button (the user confirms it).
DEFAULT_ZONES: Final[dict[str, str]] = {
    "zh-TW": "Asia/Taipei",
    "ru": "Europe/Moscow",
    "en": "UTC",
}

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_UTC_NAMES: Final = frozenset({"utc", "gmt", "z", "etc/utc", "etc/gmt"})
# Real offsets run from -12:00 (Baker Island) to +14:00 (Kiribati, Line Islands).
_MAX_OFFSET: Final = timedelta(hours=14)


def _offset_zone(match: re.Match[str]) -> tuple[str, tzinfo] | None:
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    if delta > _MAX_OFFSET:
        return None
    signed = -delta if sign == "-" else delta
    return f"{sign}{hours:02d}:{minutes:02d}", timezone(signed)


def resolve_zone(text: str) -> tuple[str, tzinfo] | None:
    """(canonical name, tzinfo) for an IANA name or an offset ("+3", "UTC+03:00"),
    or None if it is neither. The canonical name is what gets stored."""
    value = text.strip()
    if value.casefold() in _UTC_NAMES:
        return "UTC", UTC
    match = _OFFSET.match(value)
    if match:
        return _offset_zone(match)
    # Only names from the tz database: people type "asia/taipei", and ZoneInfo
    # would otherwise read arbitrary strings as file paths.
    name = _zone_names().get(value.casefold())
    if name is None:
        return None
    try:
        return name, ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache
def _zone_names() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def parse_zone(text: str) -> tzinfo | None:
    resolved = resolve_zone(text)
    return resolved[1] if resolved else None


def zone_of(name: str) -> tzinfo:
    """tzinfo of a stored zone name; a name that no longer resolves falls back to UTC
    rather than stopping the user's reminders."""
    return parse_zone(name) or UTC


def parse_hhmm(text: str) -> tuple[int, int] | None:
    match = _HHMM.match(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def normalize_hhmm(text: str) -> str | None:
    parsed = parse_hhmm(text)
    return f"{parsed[0]:02d}:{parsed[1]:02d}" if parsed else None


def _instant(day: date, hhmm: tuple[int, int], zone: tzinfo) -> datetime:
    # fold=0: in a DST gap the wall time is read with the offset before the change,
    # which lands just after the gap (02:30 -> 03:30 CEST); in an overlap it is the
    # first of the two instants, so a repeated hour does not remind twice.
    local = datetime.combine(day, time(*hhmm), tzinfo=zone)
    return local.astimezone(UTC)


def next_occurrence(hhmm: str, zone: tzinfo, after: datetime) -> datetime:
    """The first instant (UTC) strictly after `after` whose local time in `zone` is
    hhmm. A dose added after today's time therefore starts tomorrow."""
    parsed = parse_hhmm(hhmm)
    if parsed is None:
        raise ValueError("time must be HH:MM")
    start = after.astimezone(zone).date()
    # From the day before (offsets up to 14 h) to a few days on (a skipped date,
    # as in Samoa on 2011-12-30).
    for offset in range(-1, 4):
        candidate = _instant(start + timedelta(days=offset), parsed, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: every zone has each wall time within 4 days")


def local_label(instant: datetime, zone: tzinfo) -> str:
    """How a user reads an instant: their local date and time."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def slot_key(slot: datetime) -> str:
    """How a dose's slot (its instant) is named: ISO 8601 in UTC."""
    return slot.astimezone(UTC).isoformat()
