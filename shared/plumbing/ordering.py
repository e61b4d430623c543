"""One user's messages are applied in the order the platform received them.

Cloud Tasks runs a user's dialog tasks concurrently and in any order. The webhook's
idempotency record of each event doubles as the user's queue: it carries the user
key, the platform's order (LINE: event timestamp, ties broken by the ULID
webhookEventId; Telegram: update_id) and `pending: True` until the dialog has
decided that event. So the hot path stays one create() per event.

Before deciding, the dialog looks for an earlier pending event of the same user
(an equality query on user_id and pending, served by Firestore's single-field
indexes). If there is one, the task is not yet due (NotYet: it answers 429 and
Cloud Tasks retries it with backoff). Its own decide transaction clears its pending
flag together with the decision.

An earlier event blocks for at most WAIT (its task may have failed for good): after
that the later ones go on without it. WAIT stays well under the dialog queue's retry
span (infra/terraform/locals.tf), so waiting never exhausts a task's attempts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from shared.domain.channels import Channel, user_key
from shared.domain.events import InboundEvent, normalize_line, normalize_telegram
from shared.ports import DocumentStore, Filter, Transaction

Doc = dict[str, Any]

WAIT: Final = timedelta(seconds=10)
RECORD_TTL: Final = timedelta(days=1)
COLLECTION: Final = "idempotency"


def inbound(channel: Channel, raw: dict[str, Any]) -> InboundEvent | None:
    """The event as the dialog will see it; None if the dialog will ignore it."""
    try:
        return normalize_line(raw) if channel is Channel.LINE else normalize_telegram(raw)
    except (ValueError, TypeError, AttributeError, ArithmeticError):
        return None


def order_of(event: InboundEvent) -> str:
    """A string that sorts like the platform's order of one user's events."""
    if event.channel is Channel.TELEGRAM:
        try:
            return f"{max(0, int(event.event_id)):020d}"
        except ValueError:
            return "0" * 20
    return f"{max(0, event.timestamp_ms):015d}:{event.event_id}"


def queue_fields(event: InboundEvent | None) -> Doc:
    """What the webhook adds to an event's idempotency record."""
    if event is None:
        return {"pending": False}  # the dialog ignores it: nothing waits for it
    return {"user_id": user_key(event.channel, event.user_id), "order": order_of(event),
            "pending": True}


def earlier_pending(store: DocumentStore, event: InboundEvent, record_id: str,
                    now: datetime) -> bool:
    """True while an earlier event of the same user waits for its dialog task."""
    mine = order_of(event)
    rows = store.query(COLLECTION, [
        Filter("user_id", "==", user_key(event.channel, event.user_id)),
        Filter("pending", "==", True),
    ])
    return any(
        path != f"{COLLECTION}/{record_id}"
        and str(doc.get("order", "")) < mine
        and doc.get("created_at") is not None and doc["created_at"] > now - WAIT
        for path, doc in rows
    )


def mark_decided(txn: Transaction, record_id: str, now: datetime) -> None:
    """Clear the event's pending flag (in the decide transaction's write phase)."""
    txn.set(f"{COLLECTION}/{record_id}", {"pending": False, "expires_at": now + RECORD_TTL},
            merge=True)
