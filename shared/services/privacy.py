"""'Delete my data': erase every document and file that belongs to one user."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from shared.ports import BlobStore, DocumentStore, Filter

log = logging.getLogger(__name__)

# Collections whose documents carry a `user_id` field. Every feature that stores
# per-user documents adds its collection here; tests/unit/test_privacy.py checks it.
USER_COLLECTIONS: Final = (
    "leaflets", "translations", "medications", "doses", "dose_log", "deliveries", "usage",
)
# Documents whose id is the user key itself.
KEYED_COLLECTIONS: Final = ("users", "sessions")


def user_prefix(user_key: str) -> str:
    """Storage prefix of a user's files (user_key is validated in channels.user_key)."""
    return f"users/{user_key}/"


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
        files = self.blobs.delete_prefix(user_prefix(user_key))
        log.info("user erased", extra={"documents": removed, "files": files})
        return removed + files
