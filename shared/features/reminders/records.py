"""Where the reminders feature keeps its own documents (the doses themselves are the
medication feature's: shared/features/medication/repository.py).

    reminders/{rid}      each reminder sent: its doses and slots, chat, message ids,
                         the reminders it supersedes (a week, for its buttons)
    remind_outbox/{rid}  a reminder the tick claimed but has not enqueued yet
    remind_claims/{id}   one per (dose, due instant): a tick claims a dose once
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from shared.domain.signatures import stable_id

REMINDERS: Final = "reminders"
OUTBOX: Final = "remind_outbox"
CLAIMS: Final = "remind_claims"
REMINDER_TTL: Final = timedelta(days=7)  # buttons older than this answer "handled"
CLAIM_TTL: Final = timedelta(days=2)  # a claim only has to outlive duplicate ticks


def reminder_path(rid: str) -> str:
    return f"{REMINDERS}/{rid}"


def outbox_path(rid: str) -> str:
    return f"{OUTBOX}/{rid}"


def claim_path(dose_id: str, due: datetime) -> str:
    # One claim per (dose, due instant): create() succeeds for exactly one tick.
    return f"{CLAIMS}/{stable_id(dose_id, due.astimezone(UTC).isoformat())}"
