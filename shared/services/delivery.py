"""Sending a decision's messages once, on the right channel, by reply or by push."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from shared.domain.channels import LINE_REPLY_TOKEN_TTL_MS, Channel
from shared.domain.decision import Decision
from shared.domain.signatures import stable_id
from shared.ports import Clock, DocumentStore, Messenger

log = logging.getLogger(__name__)

DELIVERY_RECORD_TTL = timedelta(days=2)


@dataclass(frozen=True)
class Delivery:
    store: DocumentStore
    clock: Clock
    messengers: Mapping[Channel, Messenger]

    def deliver(self, decision: Decision) -> list[str]:
        """Send the decision's messages unless they were sent before; the platform ids
        of the messages (those of the first send when replayed; [] if none)."""
        messenger = self.messengers[decision.channel]
        if decision.acknowledge:
            messenger.acknowledge(decision.acknowledge)
        if decision.loading:
            messenger.show_loading(decision.chat_id)
        if not decision.messages:
            return []
        # LINE dedupes retried pushes by X-Line-Retry-Key; Telegram has no such key,
        # so a record of what was sent stops a retried task from sending it again.
        record = f"deliveries/{stable_id(decision.send_key)}"
        sent = self.store.get(record)
        if sent is not None:
            return [str(i) for i in sent.get("message_ids") or []]
        ids = [str(i) for i in messenger.send(
            decision.chat_id,
            decision.messages,
            key=decision.send_key,
            reply_token=self._fresh_token(decision),
        ) or []]  # `or []`: a messenger that reports no ids
        now = self.clock.now()
        self.store.set(record, {"user_id": decision.user_key, "sent_at": now,
                                "message_ids": ids, "expires_at": now + DELIVERY_RECORD_TTL})
        log.info("sent", extra={"channel": decision.channel.value,
                                "messages": len(decision.messages)})
        return ids

    def _fresh_token(self, decision: Decision) -> str | None:
        if not decision.reply_token:
            return None
        age_ms = self.clock.now().timestamp() * 1000 - decision.event_ms
        return decision.reply_token if age_ms < LINE_REPLY_TOKEN_TTL_MS else None
