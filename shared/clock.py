"""Clocks. The local stack's clock can be moved forward from the simulator so a
day of reminders can be watched in a minute; the offset lives in the store, so
every process of the stack sees the same time."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from shared.ports import DocumentStore

CLOCK_DOC = "devtools/clock"


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock tests set and move by hand."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


@dataclass
class OffsetClock:
    """System time plus an offset kept in the store (local development only)."""

    store: DocumentStore
    cache_s: float = 0.5
    _offset: float = 0.0
    _read_at: float = -1.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> datetime:
        with self._lock:
            if time.monotonic() - self._read_at > self.cache_s:
                doc = self.store.get(CLOCK_DOC) or {}
                self._offset = float(doc.get("offset_s", 0.0))
                self._read_at = time.monotonic()
            return datetime.now(UTC) + timedelta(seconds=self._offset)

    def advance(self, seconds: float) -> None:
        with self._lock:
            doc = self.store.get(CLOCK_DOC) or {}
            self._offset = float(doc.get("offset_s", 0.0)) + seconds
            self.store.set(CLOCK_DOC, {"offset_s": self._offset})
            self._read_at = time.monotonic()
