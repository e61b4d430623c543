"""Per-user limits, kept in Firestore next to the user's other state (`limits/{user}`).

Checked and counted inside the dialog's decide transaction (plumbing/dialog.py), so two
deliveries of one message count once (the task runner replays the stored decision) and
two concurrent messages cannot both slip under a limit. Every job a user can cause goes
through that transaction, so it is the one place to count them:

* messages per minute: a sliding window of the last minute's arrival times;
* generations per day (every job that calls the model: leaflets, translations,
  speech, transcription...) and e-mails per day: counters of the UTC day.

The first message over a limit gets a clear answer; further ones in the same window
are dropped without an answer, so a flood does not turn into a flood of replies.
Cloud Tasks queue rate limits (infra/terraform/tasks.tf) stay the global brake.
The document holds counts and times only, never text, and "delete my data" erases it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from shared.jobs import Job

Doc = dict[str, Any]

COLLECTION: Final = "limits"
WINDOW: Final = timedelta(minutes=1)
RETENTION: Final = timedelta(days=2)  # TTL field: nothing here matters after a day
NOT_GENERATIONS: Final = frozenset({Job.DIALOG, Job.REMIND, Job.EMAIL, Job.CARE})


def limits_path(user_key: str) -> str:
    return f"{COLLECTION}/{user_key}"


def job_kind(job: Job) -> str | None:
    """Which daily counter a job counts against (None: not limited)."""
    if job is Job.EMAIL:
        return "emails"
    if job in NOT_GENERATIONS:
        return None
    return "generations"


@dataclass(frozen=True)
class UserLimits:
    messages_per_minute: int = 20
    generations_per_day: int = 30
    emails_per_day: int = 5

    def per_day(self, kind: str) -> int:
        return self.generations_per_day if kind == "generations" else self.emails_per_day

    def start(self, doc: Doc | None, user_key: str, now: datetime) -> Counter:
        return Counter(self, dict(doc or {}), user_key, now)


@dataclass
class Counter:
    """One transaction's view of a user's limits document."""

    limits: UserLimits
    doc: Doc
    user_key: str
    now: datetime
    changed: bool = field(default=False)

    def _day(self) -> dict[str, int]:
        today = self.now.date().isoformat()
        if self.doc.get("day") != today:
            self.doc["day"] = today
            self.doc["counts"] = {}
        counts: dict[str, int] = self.doc.setdefault("counts", {})
        return counts

    def message(self) -> str | None:
        """Count one inbound message. None if allowed; else "reply" for the first
        message over the limit in this window, "drop" for the ones after it."""
        recent = [t for t in self.doc.get("recent") or [] if t > self.now - WINDOW]
        self.changed = True
        if len(recent) >= self.limits.messages_per_minute:
            # Not recorded: the window slides on the messages that were served.
            first = not self.doc.get("flooded_until") or self.doc["flooded_until"] <= self.now
            self.doc["recent"] = recent
            self.doc["flooded_until"] = recent[0] + WINDOW
            return "reply" if first else "drop"
        self.doc["recent"] = [*recent, self.now]
        return None

    def jobs(self, jobs: Iterable[Job]) -> str | None:
        """Count the jobs a reply asks for, all or none. The kind over its daily limit
        ("generations" / "emails"), else None (and the jobs are counted)."""
        counts = self._day()
        wanted: dict[str, int] = {}
        for job in jobs:
            kind = job_kind(job)
            if kind is not None:
                wanted[kind] = wanted.get(kind, 0) + 1
        for kind, n in wanted.items():
            if counts.get(kind, 0) + n > self.limits.per_day(kind):
                return kind
        for kind, n in wanted.items():
            counts[kind] = counts.get(kind, 0) + n
        self.changed = self.changed or bool(wanted)
        return None

    def document(self) -> Doc:
        return {**self.doc, "user_id": self.user_key, "expires_at": self.now + RETENTION}
