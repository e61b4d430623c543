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


COLLECTION = "usage"

# Counter names (the keys of a usage document's `counts`). Only names and numbers:
# nothing a user wrote or was sent ever becomes a key.
LLM_CALLS = "llm.calls"
LLM_FAILURES = "llm.failures"
LLM_INPUT_TOKENS = "llm.input_tokens"
LLM_OUTPUT_TOKENS = "llm.output_tokens"
REMINDERS_SENT = "reminders.sent"
REMINDERS_MISSED = "reminders.missed"
# A patient who blocked or unfollowed the bot (issue 13): the event itself, and each
# reminder withheld from them while they are unreachable.
UNREACHABLE = "reach.unreachable"
REMINDERS_WITHHELD = "reminders.withheld"


def usage_path(user_key: str, at: datetime) -> str:
    return f"{COLLECTION}/{at.date().isoformat()}_{user_key}"


def action_counter(mode: str, action: str) -> str:
    """A dialog action in a mode: "action.<mode>.<handler>" (mode: menu, education,
    translation, medication; sub-states such as "translation.language" count as their
    mode)."""
    return f"action.{mode.split('.', 1)[0]}.{action}"


def reminder_counter(status: str) -> str:
    """reminders.taken / reminders.skipped (the buttons), reminders.missed (the tick)."""
    return f"reminders.{status}"


def llm_counts(calls: int, input_tokens: int, output_tokens: int, failed: bool) -> dict[str, int]:
    counts = {LLM_CALLS: calls, LLM_INPUT_TOKENS: input_tokens,
              LLM_OUTPUT_TOKENS: output_tokens}
    if failed:
        counts[LLM_FAILURES] = 1
    return {k: v for k, v in counts.items() if v}


def bump(doc: Doc | None, *, user_key: str, channel: str, at: datetime,
         counts: Mapping[str, int]) -> Doc:
    """The usage document with `counts` added (e.g. {"dialog.show_menu": 1})."""
    current: Doc = dict(doc or {"user_id": user_key, "day": at.date().isoformat(),
                               "channel": channel, "counts": {},
                               "expires_at": at + RETENTION})
    totals = Counter(current.get("counts") or {})
    totals.update({k: int(v) for k, v in counts.items() if v})
    current["counts"] = dict(totals)
    return current


def report(docs: Iterable[Doc]) -> dict[str, Any]:
    """Aggregate usage documents: users per channel and totals per channel.

    active_users: users who did something in a chat (any dialog action); users: every
    user with a document, including those who only received reminders; unreachable_users:
    users who blocked or unfollowed the bot that day, or had reminders withheld because
    they had."""
    active: Counter[str] = Counter()
    unreachable: Counter[str] = Counter()
    users: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for doc in docs:
        channel = str(doc.get("channel", "?"))
        counts = {k: int(v) for k, v in (doc.get("counts") or {}).items()}
        users[channel] += 1
        if any(k.startswith("action.") and v > 0 for k, v in counts.items()):
            active[channel] += 1
        if counts.get(UNREACHABLE) or counts.get(REMINDERS_WITHHELD):
            unreachable[channel] += 1
        totals.update({f"{channel}.{k}": v for k, v in counts.items()})
    return {"active_users": dict(sorted(active.items())), "users": dict(sorted(users.items())),
            "unreachable_users": dict(sorted(unreachable.items())),
            "counts": dict(sorted(totals.items()))}
