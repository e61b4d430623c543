"""Erasure is final: a job queued before "delete my data" writes and sends nothing.

When a user is erased, a marker goes first (erasures/{hash of the user key}: when, and
nothing that names the user), then their documents and files (plumbing/erasure.py).
Every task that acts for a user carries when it was queued (`queued_at`, set by the
dialog turn that asked for it and kept by its follow-ups and rescheduled copies), and
its unit of work (plumbing/work.py) reads the marker inside its transaction: a task
queued before the erasure is dropped there, before it writes a document, an archive
copy or a usage counter, and its decision sends nothing. Reading the marker in the
transaction makes the erasure's marker write conflict with a task deciding at the same
moment (Firestore retries that transaction, which then sees the marker).

The marker outlives every task that can still be delivered: Cloud Tasks keeps a task
at most 31 days. A task with no `queued_at` (queued by an older release) counts as
queued before any erasure.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final, Protocol

from shared.domain.signatures import stable_id
from shared.ports import Doc

COLLECTION: Final = "erasures"
MARKER_TTL: Final = timedelta(days=32)  # a Cloud Task lives at most 31 days
QUEUED_AT: Final = "queued_at"  # the task payload field


class Reads(Protocol):
    def get(self, path: str) -> Doc | None: ...


def marker_path(user_key: str) -> str:
    # Hashed: the marker must not name the user it erased.
    return f"{COLLECTION}/{stable_id('erased', user_key)}"


def marker(now: datetime) -> Doc:
    return {"erased_at": now, "expires_at": now + MARKER_TTL}


def queued_at(task: Doc) -> datetime | None:
    """When a task was queued (None: unknown, i.e. before markers existed)."""
    value = task.get(QUEUED_AT)
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def voided(reads: Reads, user_key: str, queued: datetime | None) -> bool:
    """Whether the user was erased after this task was queued (so it must do nothing)."""
    found = reads.get(marker_path(user_key))
    if found is None:
        return False
    erased_at = found.get("erased_at")
    if queued is None or not isinstance(erased_at, datetime):
        return True
    return queued <= erased_at
