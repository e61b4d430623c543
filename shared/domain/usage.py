"""Usage counters for the operator's daily report, kept without any message text.

One document per user per day (`usage/{day}_{user}`): writes stay in that user's own
transactions (no shared hot counter), "delete my data" finds them by `user_id`, and
the report reads one document per active user.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

Doc = dict[str, Any]
RETENTION = timedelta(days=400)


def usage_path(user_key: str, at: datetime) -> str:
    return f"usage/{at.date().isoformat()}_{user_key}"


def bump(doc: Doc | None, *, user_key: str, channel: str, at: datetime,
         counts: Mapping[str, int]) -> Doc:
    """The usage document with `counts` added (e.g. {"dialog.show_menu": 1})."""
    current: Doc = dict(doc or {"user_id": user_key, "day": at.date().isoformat(),
                               "channel": channel, "counts": {},
                               "expires_at": at + RETENTION})
    totals = Counter(current.get("counts") or {})
    totals.update(counts)
    current["counts"] = dict(totals)
    return current


def report(docs: Iterable[Doc]) -> dict[str, Any]:
    """Aggregate one day's usage documents: active users per channel and totals."""
    active: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for doc in docs:
        active[str(doc.get("channel", "?"))] += 1
        totals.update({f"{doc.get('channel', '?')}.{k}": int(v)
                       for k, v in (doc.get("counts") or {}).items()})
    return {"active_users": dict(active), "counts": dict(sorted(totals.items()))}
