"""'Delete my data': erase every document and file that belongs to one user.

What to erase comes from the features' registrations (shared/plumbing/features.py):
each collection a feature owns says how a user's documents are found in it, and each
storage area holds one prefix per user. A collection no feature registered cannot be
written in the tests and the in-memory stack (MemoryStore refuses it), so a new
feature cannot store personal data that this forgets.
tests/functions/test_privacy.py uses every mode, erases the user and then finds no
trace of them anywhere.

Before anything is deleted, an erasure marker is written (plumbing/erasures.py), so a
job queued before the erasure but run after it writes and sends nothing
(tests/functions/test_erasure_final.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from shared.plumbing import erasures
from shared.plumbing.collections import Collection, Erase
from shared.ports import BlobStore, Clock, DocumentStore, Filter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Eraser:
    store: DocumentStore
    blobs: BlobStore
    collections: Sequence[Collection]
    files: Sequence[str]  # storage areas
    clock: Clock | None = None  # None: no marker (queued jobs are not voided)
    page: int = 300

    def erase(self, user_key: str) -> int:
        if self.clock is not None:  # first: tasks deciding from now on see it
            self.store.set(erasures.marker_path(user_key), erasures.marker(self.clock.now()))
        removed = 0
        for collection in self.collections:
            if collection.erase is Erase.BY_FIELD:
                for field in (Erase.BY_FIELD.value, *collection.also):
                    removed += self._by_field(collection.name, user_key, field)
            elif collection.erase is Erase.BY_KEY:
                self.store.delete(f"{collection.name}/{user_key}")
        files = self.erase_files(user_key)
        log.info("user erased", extra={"documents": removed, "files": files})
        return removed + files

    def erase_files(self, user_key: str) -> int:
        """Delete the user's files in every storage area."""
        return sum(self.blobs.delete_prefix(f"{area}/{user_key}/") for area in self.files)

    def _by_field(self, collection: str, user_key: str, field: str = "user_id") -> int:
        removed = 0
        while True:
            rows = self.store.query(collection, [Filter(field, "==", user_key)],
                                    limit=self.page)
            for path, _ in rows:
                self.store.delete(path)
            removed += len(rows)
            if len(rows) < self.page:
                return removed
