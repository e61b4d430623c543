"""'Delete my data': erase every document and file that belongs to one user."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from shared.domain.storage_keys import validate_key
from shared.ports import BlobStore, DocumentStore, Filter

log = logging.getLogger(__name__)

# Collections whose documents carry a `user_id` field. Every feature that stores
# per-user documents adds its collection here; tests/functions/test_privacy.py uses
# every mode, erases the user and then finds no trace of them anywhere.
USER_COLLECTIONS: Final = (
    "leaflets", "translations", "medications", "doses", "dose_log", "reminders",
    "remind_outbox", "remind_claims", "deliveries", "usage", "mail_quota", "mail_outbox",
    "idempotency",  # webhook event records carry the user key (plumbing/ordering.py)
)
# Documents whose id is the user key itself.
KEYED_COLLECTIONS: Final = ("users", "sessions", "limits")


# Top-level storage areas; each has its own lifecycle rule in Terraform (audio kept
# a day, handouts for their link's life, archives for clinical review).
FILE_AREAS: Final = ("audio", "handouts", "archive")


def user_file_key(area: str, user_key: str, name: str) -> str:
    """Where a user's file lives (user_key is validated in channels.user_key)."""
    if area not in FILE_AREAS:
        raise ValueError(f"unknown storage area: {area}")
    return validate_key(f"{area}/{user_key}/{name}")


@dataclass(frozen=True)
class Eraser:
    store: DocumentStore
    blobs: BlobStore
    page: int = 300

    def erase(self, user_key: str) -> int:
        removed = 0
        for collection in USER_COLLECTIONS:
            while True:
                rows = self.store.query(collection, [Filter("user_id", "==", user_key)],
                                        limit=self.page)
                for path, _ in rows:
                    self.store.delete(path)
                removed += len(rows)
                if len(rows) < self.page:
                    break
        for collection in KEYED_COLLECTIONS:
            self.store.delete(f"{collection}/{user_key}")
        files = sum(self.blobs.delete_prefix(f"{area}/{user_key}/") for area in FILE_AREAS)
        log.info("user erased", extra={"documents": removed, "files": files})
        return removed + files
