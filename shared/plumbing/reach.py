"""Whether a patient can be reached on their channel (issue 13), kept on their profile.

A patient who blocks or unfollows the bot (LINE unfollow, Telegram my_chat_member
"kicked", or a send refused with Telegram's 403 "bot was blocked by the user") is
marked `unreachable_since`. Their schedule runs on, but no reminder is sent to them
(no platform call, no retry: a LINE push to a blocked user is billed and delivered to
no one); each reminder withheld is noted in `missed_while_away` instead. When they come
back (LINE follow, Telegram /start or my_chat_member "member", or anything they send)
the mark is cleared and they are told once what they missed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from shared.domain.i18n import t
from shared.domain.messages import Text

Doc = dict[str, Any]

SINCE: Final = "unreachable_since"
MISSED: Final = "missed_while_away"
MAX_MISSED: Final = 60  # entries kept (a month of twice-daily doses is listed in part)
SHOWN: Final = 10  # lines of the notice


def unreachable(user: Doc | None) -> bool:
    return bool(user and user.get(SINCE))


def mark_away(user: Doc, now: datetime) -> bool:
    """Mark the profile unreachable; False if it already was."""
    if user.get(SINCE):
        return False
    user[SINCE] = now
    return True


def note_missed(user: Doc, items: list[Doc]) -> None:
    """Remember reminders withheld while away: one entry per dose and slot."""
    missed = [m for m in user.get(MISSED) or [] if isinstance(m, dict)]
    seen = {(m.get("dose_id"), m.get("slot")) for m in missed}
    for item in items:
        key = (item.get("dose_id"), item.get("slot"))
        if key not in seen:
            seen.add(key)
            missed.append({k: item.get(k) for k in ("dose_id", "slot", "name", "dosage",
                                                    "time")})
    user[MISSED] = missed[-MAX_MISSED:]


def come_back(user: Doc, lang: str) -> list[Text]:
    """Clear the mark; the notice of what was missed (none if nothing was)."""
    if not user.get(SINCE) and not user.get(MISSED):
        return []
    missed = [m for m in user.pop(MISSED, None) or [] if isinstance(m, dict)]
    user.pop(SINCE, None)
    if not missed:
        return []
    lines = [t(lang, "reach.missed", count=len(missed))]
    lines += [t(lang, "remind.item", time=m.get("time") or "", name=m.get("name") or "",
                dosage=m.get("dosage") or "").rstrip() for m in missed[-SHOWN:]]
    if len(missed) > SHOWN:
        lines.insert(1, "…")
    return [Text(text="\n".join(lines))]
