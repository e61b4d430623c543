"""In-memory TaskQueue: tasks wait in a list until a test (or the embedded runner)
drains them. Deduplicates task names as Cloud Tasks does."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from shared.ports import Doc


@dataclass(frozen=True)
class QueuedTask:
    queue: str
    payload: Doc
    name: str | None
    schedule_at: datetime | None


class MemoryTaskQueue:
    def __init__(self) -> None:
        self.tasks: list[QueuedTask] = []
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def enqueue(
        self,
        queue: str,
        payload: Doc,
        *,
        name: str | None = None,
        schedule_at: datetime | None = None,
    ) -> bool:
        with self._lock:
            if name is not None:
                if name in self._names:
                    return False
                self._names.add(name)
            self.tasks.append(QueuedTask(queue, payload, name, schedule_at))
            return True

    def take(self, now: datetime | None = None) -> list[QueuedTask]:
        """Remove and return the tasks that are due (all of them when now is None)."""
        with self._lock:
            due = [
                t for t in self.tasks
                if now is None or t.schedule_at is None or t.schedule_at <= now
            ]
            self.tasks = [t for t in self.tasks if t not in due]
            return due
