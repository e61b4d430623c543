"""Sending a decision's messages once, on the right channel, by reply or by push.

A send is a sequence of parts, one platform call each (Messenger.send). Each part is
recorded in `deliveries/{id}` as soon as the platform has it, so a retried task sends
only the parts still missing, never one twice: a Telegram leaflet cut short by an error
after its first bubble resumes with the second, not with the first again. (LINE also
drops a retried push by its X-Line-Retry-Key; the record spares even that call.)

Rate limits (Telegram 429 with parameters.retry_after, LINE 429): a short wait is waited
out here and the send resumes; a long one fails the task (MessengerError, retryable), so
Cloud Tasks retries it later and the retry resumes where this attempt stopped.
The one gap no record can close: a part the platform accepted just before the worker
died, and before the record was written, is sent again by the retry (a LINE push even
then only once, thanks to its retry key).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from shared.domain.channels import LINE_REPLY_TOKEN_TTL_MS, Channel
from shared.domain.decision import Decision
from shared.domain.errors import MessengerError
from shared.domain.signatures import stable_id
from shared.ports import Clock, Doc, DocumentStore, Messenger

log = logging.getLogger(__name__)

COLLECTION = "deliveries"
DELIVERY_RECORD_TTL = timedelta(days=2)
# Waits for a rate limit that are spent in the worker; a longer one fails the task.
MAX_INLINE_WAIT_S = 10.0
MAX_INLINE_WAITS = 3
# When a 429 names no wait (LINE usually does not): 1 s, then 2 s, then 4 s.
DEFAULT_BACKOFF_S = 1.0


@dataclass(frozen=True)
class Delivery:
    store: DocumentStore
    clock: Clock
    messengers: Mapping[Channel, Messenger]
    sleep: Callable[[float], None] = field(default=time.sleep)

    def deliver(self, decision: Decision) -> list[str]:
        """Send the decision's messages unless they were sent before, resuming a send
        that stopped part-way; the platform ids of all its messages ([] if none)."""
        messenger = self.messengers[decision.channel]
        if decision.acknowledge:
            messenger.acknowledge(decision.acknowledge)
        if decision.loading:
            messenger.show_loading(decision.chat_id)
        fallbacks = [e.fallback for e in decision.edits
                     if not messenger.edit(decision.chat_id, e.message_id, e.message)
                     and e.fallback is not None]
        if fallbacks:  # what could not be edited is said anew (LINE, a message too old)
            decision = decision.model_copy(update={"messages": [*fallbacks,
                                                                *decision.messages]})
        if not decision.messages:
            if decision.leave:
                messenger.leave(decision.chat_id)
            return []
        path = f"{COLLECTION}/{stable_id(decision.send_key)}"
        record = self.store.get(path)
        if record is not None and record.get("complete", True):
            # A record without "complete" predates part records: it was a whole send.
            return [str(i) for i in record.get("message_ids") or []]
        progress = _Progress(self.store, path, decision.user_key, self.clock, record)
        waits = 0
        while True:
            try:
                messenger.send(
                    decision.chat_id, decision.messages, key=decision.send_key,
                    # The reply token carries the first part only; a resumed send pushes.
                    reply_token=self._fresh_token(decision) if progress.parts == 0 else None,
                    start=progress.parts, on_part=progress.record)
                break
            except MessengerError as error:
                delay = self._inline_wait(error, waits)
                if delay is None:
                    log.warning("send stopped", extra={
                        "channel": decision.channel.value, "status": error.status,
                        "retryable": error.retryable, "parts_sent": progress.parts})
                    raise
                waits += 1
                log.info("rate limited: waiting", extra={
                    "channel": decision.channel.value, "wait_s": delay,
                    "parts_sent": progress.parts})
                self.sleep(delay)
        progress.finish()
        log.info("sent", extra={"channel": decision.channel.value,
                                "messages": len(decision.messages), "parts": progress.parts})
        if decision.leave:  # a group chat: said where to talk, now gone (idempotent)
            messenger.leave(decision.chat_id)
        return progress.ids

    def sent_ids(self, send_key: str) -> list[str]:
        """The platform ids of the messages the send `send_key` delivered so far, in
        order ([] if none, or if the platform returned none: LINE often does not)."""
        record = self.store.get(f"{COLLECTION}/{stable_id(send_key)}")
        return [str(i) for i in (record or {}).get("message_ids") or []]

    @staticmethod
    def _inline_wait(error: MessengerError, waits: int) -> float | None:
        """How long to wait before resuming in this worker; None: fail the task."""
        if error.status != 429 or not error.retryable or waits >= MAX_INLINE_WAITS:
            return None
        delay = error.retry_after_s
        if delay is None:
            delay = DEFAULT_BACKOFF_S * 2 ** waits
        return delay if delay <= MAX_INLINE_WAIT_S else None

    def _fresh_token(self, decision: Decision) -> str | None:
        if not decision.reply_token:
            return None
        age_ms = self.clock.now().timestamp() * 1000 - decision.event_ms
        return decision.reply_token if age_ms < LINE_REPLY_TOKEN_TTL_MS else None


class _Progress:
    """The delivery record of one send: parts delivered so far and their ids."""

    def __init__(self, store: DocumentStore, path: str, user: str, clock: Clock,
                 record: Doc | None) -> None:
        self.store, self.path, self.user, self.clock = store, path, user, clock
        self.parts = int((record or {}).get("parts_sent") or 0)
        self.ids = [str(i) for i in (record or {}).get("message_ids") or []]

    def record(self, index: int, ids: list[str]) -> None:
        """Called by the messenger as soon as part `index` is delivered."""
        self.parts = index + 1
        self.ids += [str(i) for i in ids]
        self._write(complete=False)

    def finish(self) -> None:
        self._write(complete=True)

    def _write(self, *, complete: bool) -> None:
        now = self.clock.now()
        self.store.set(self.path, {"user_id": self.user, "sent_at": now,
                                   "message_ids": self.ids, "parts_sent": self.parts,
                                   "complete": complete,
                                   "expires_at": now + DELIVERY_RECORD_TTL})
