"""Webhook intake: authenticate, deduplicate, enqueue one dialog task per event.

This is the hot path LINE times at 2 s: no LLM, no SDK import, no user lookup.
What the dialog has nothing to do with (standby events, group traffic, update kinds it
never reads, absurd fields) is dropped first (domain/admission.py): 200 and a log line
with the reason, no idempotency record, no task, so it can never fail later.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shared.domain.admission import Verdict, admit_line, admit_telegram
from shared.domain.channels import Channel
from shared.domain.events import line_event_id, line_events
from shared.domain.signatures import stable_id, valid_line_signature, valid_telegram_secret
from shared.jobs import Job
from shared.plumbing import ordering
from shared.ports import Clock, DocumentStore, TaskQueue

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000  # a Cloud Task carries at most 1 MB


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    events: int = 0  # events in the body
    accepted: int = 0  # new events enqueued (not redeliveries)


@dataclass(frozen=True)
class Intake:
    store: DocumentStore
    tasks: TaskQueue
    clock: Clock
    idempotency_ttl_s: int

    def line(self, body: bytes, signature: str | None, channel_secret: str) -> Answer:
        if not valid_line_signature(body, signature, channel_secret):
            return Answer(401, "invalid signature")
        if len(body) > MAX_BODY_BYTES:
            return Answer(413, "body too large")
        payload = _json_object(body)
        if payload is None:
            return Answer(400, "malformed JSON")
        try:
            events = line_events(payload)
        except ValueError:
            return Answer(400, "no events")
        accepted = 0
        now_ms = int(self.clock.now().timestamp() * 1000)
        for event in events:  # the console's verify request has none: plain 200
            if not _admitted(Channel.LINE, admit_line(event, now_ms)):
                continue
            event_id = line_event_id(event)
            if event_id is not None and self._accept(Channel.LINE, event_id, event):
                accepted += 1
        return Answer(200, "ok", len(events), accepted)

    def telegram(self, body: bytes, secret_header: str | None, secret: str) -> Answer:
        if not valid_telegram_secret(secret_header, secret):
            return Answer(401, "invalid secret token")
        if len(body) > MAX_BODY_BYTES:
            return Answer(413, "body too large")
        update = _json_object(body)
        if update is None:
            return Answer(400, "malformed JSON")
        update_id = update.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return Answer(400, "no update_id")
        if not _admitted(Channel.TELEGRAM,
                         admit_telegram(update, int(self.clock.now().timestamp()))):
            return Answer(200, "ok", 1, 0)
        accepted = self._accept(Channel.TELEGRAM, str(update_id), update)
        return Answer(200, "ok", 1, int(accepted))

    def _accept(self, channel: Channel, event_id: str, event: dict[str, Any]) -> bool:
        """Enqueue an event unless it was seen before. False for a redelivery.

        The idempotency record is created first (Firestore create(): one write on the
        hot path) and says `pending` until the dialog has decided the event. A
        redelivery of a still-pending event is enqueued again: its first enqueue may
        never have happened (an instance killed in between,
        tests/functions/test_crashes.py), and a duplicate is harmless (the task name,
        and the dialog's job record in plumbing/runner.py, make it a no-op).
        """
        key = stable_id(channel.value, event_id)
        path = f"idempotency/{key}"
        now = self.clock.now()
        created = self.store.create(path, {
            "kind": "webhook", "channel": channel.value, "created_at": now,
            "expires_at": now + timedelta(seconds=self.idempotency_ttl_s),
            **ordering.queue_fields(ordering.inbound(channel, event)),
        })
        if not created and not (self.store.get(path) or {}).get("pending"):
            return False
        try:
            self.tasks.enqueue(
                Job.DIALOG.value,
                {"id": key, "channel": channel.value, "event": event,
                 "received_at": now.isoformat()},
                name=f"dialog-{key}",
            )
        except Exception:
            if created:  # forget it, so the platform's redelivery starts afresh
                self.store.delete(path)
            raise
        return created


def _admitted(channel: Channel, verdict: Verdict) -> bool:
    if not verdict.admitted:  # the reason only: never the event's content
        log.info("event dropped", extra={"channel": channel.value, "reason": verdict.reason})
    return verdict.admitted


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
