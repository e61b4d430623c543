"""What the webhooks let in: one verdict per LINE event or Telegram update, before
anything is stored or enqueued (pure; shared/plumbing/intake.py applies it).

An event MedBot has nothing to do with is dropped here, so it costs no idempotency
record, no task and no document: LINE standby events (another channel holds the chat:
this one must not answer), group chat traffic (medical chats are 1:1; only the bot's
own arrival in a group passes, so that it can say where to find it and leave), update
types the bot never asked for (inline queries, payments, reactions, edits, channel
posts, ...), messages from other bots and service messages. An event with an absurd
field (a timestamp of 10^30, a negative or string one, an id of 5,000 characters, a
number past what a document can hold) is refused as well: the webhook still answers
200 (a platform retries anything else) and logs the reason, so nothing fails later.

Limits below come from the platforms' references: LINE user, group and room ids are
"U", "C" or "R" and 32 hex digits; webhookEventId is a ULID (26 characters);
Telegram ids fit in 52 bits ("at most 52 significant bits"), callback_data is at most
64 bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

# Numbers a Firestore document (int64) and a JSON reader agree on; larger is forged.
MAX_SAFE_INT: Final = 2**53 - 1
# Oldest plausible event times: LINE's Messaging API (2016) and Telegram (2013); a clock
# a day ahead is already wrong by a day.
LINE_EPOCH_MS: Final = 1_451_606_400_000  # 2016-01-01
TELEGRAM_EPOCH_S: Final = 1_375_315_200  # 2013-08-01
FUTURE_SLACK_S: Final = 86_400
# Latest plausible event time: 2100-01-01. A date past it is absurd (10^30 overflows a
# document); one merely ahead of our clock is not dropped, as a patient's message must
# not be lost to a clock that is behind (the tests' fixed clocks, a simulator's).
LATEST_S: Final = 4_102_444_800
MAX_EVENT_ID: Final = 64  # a ULID has 26; generous, never 5,000
MAX_CALLBACK_DATA: Final = 64  # bytes (Bot API)
MAX_TOKEN: Final = 256

_LINE_IDS = {"user": re.compile(r"^U[0-9a-f]{32}$"), "group": re.compile(r"^C[0-9a-f]{32}$"),
             "room": re.compile(r"^R[0-9a-f]{32}$")}
_SOURCE_KEY = {"user": "userId", "group": "groupId", "room": "roomId"}
_EVENT_ID = re.compile(r"^[0-9A-Za-z_-]+$")

# LINE events from a user that the dialog reads; the rest (beacon, accountLink, ...)
# need no answer.
LINE_USER_EVENTS: Final = frozenset({"message", "postback", "follow", "unfollow"})
# Telegram update kinds the dialog reads (also what setWebhook subscribes to:
# shared/adapters/operator_admin.py TELEGRAM_UPDATES).
TELEGRAM_KINDS: Final = ("message", "callback_query", "my_chat_member")
# Message fields that carry something the user sent (anything else is a service
# message: a pinned message, a payment, a title change, ...).
TELEGRAM_CONTENT: Final = frozenset({
    "text", "voice", "audio", "photo", "video", "video_note", "animation", "document",
    "sticker", "location", "venue", "contact", "poll", "dice", "caption", "story",
    "paid_media",
})
_GROUP_CHATS = frozenset({"group", "supergroup", "channel"})
_PRESENT = frozenset({"member", "administrator"})  # the bot is in the chat


@dataclass(frozen=True)
class Verdict:
    admitted: bool
    reason: str  # "ok", or why not (logged; never user content)

    @staticmethod
    def ok() -> Verdict:
        return Verdict(True, "ok")

    @staticmethod
    def drop(reason: str) -> Verdict:
        return Verdict(False, reason)


def _text(value: Any) -> str | None:
    """A field that should be a string (a list or an object is not: unhashable)."""
    return value if isinstance(value, str) else None


def _int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _id_int(value: Any) -> bool:
    return _int(value, -MAX_SAFE_INT, MAX_SAFE_INT)


def _numbers_fit(value: Any, depth: int = 0) -> bool:
    """Every number in a payload fits in a document (no 10^30 durations or sizes)."""
    if depth > 32:
        return False
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -MAX_SAFE_INT <= value <= MAX_SAFE_INT
    if isinstance(value, float):
        return value == value and abs(value) <= float(MAX_SAFE_INT)  # no NaN, no 1e308
    if isinstance(value, dict):
        return all(_numbers_fit(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(_numbers_fit(v, depth + 1) for v in value)
    return True


# ============================================================================ LINE
def admit_line(event: Any, now_ms: int) -> Verdict:
    """Whether one LINE webhook event goes on to the dialog."""
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return Verdict.drop("malformed")
    event_id = event.get("webhookEventId")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= MAX_EVENT_ID
            and _EVENT_ID.match(event_id)):
        return Verdict.drop("absurd event id")
    if not _int(event.get("timestamp"), LINE_EPOCH_MS,
                max(now_ms + FUTURE_SLACK_S * 1000, LATEST_S * 1000)):
        return Verdict.drop("absurd timestamp")
    if event.get("mode") == "standby":
        return Verdict.drop("standby")  # another channel answers this chat
    if not _numbers_fit(event):
        return Verdict.drop("absurd number")
    token = event.get("replyToken")
    if token is not None and not (isinstance(token, str) and len(token) <= MAX_TOKEN):
        return Verdict.drop("absurd reply token")
    source = event.get("source")
    if not isinstance(source, dict) or _text(source.get("type")) not in _LINE_IDS:
        return Verdict.drop("no source")
    kind = str(source["type"])
    chat = source.get(_SOURCE_KEY[kind])
    if not (isinstance(chat, str) and _LINE_IDS[kind].match(chat)):
        return Verdict.drop("absurd source id")
    user = source.get("userId")
    if kind != "user" and user is not None and not (
            isinstance(user, str) and _LINE_IDS["user"].match(user)):
        return Verdict.drop("absurd source id")
    if kind != "user":
        # In a group or room only the bot's own arrival needs an answer (then it leaves).
        return Verdict.ok() if event["type"] == "join" else Verdict.drop("group chat")
    if event["type"] not in LINE_USER_EVENTS:
        return Verdict.drop(f"unused event: {event['type'][:32]}")
    if event["type"] == "message" and not isinstance(event.get("message"), dict):
        return Verdict.drop("malformed")
    if event["type"] == "postback" and not isinstance(event.get("postback"), dict):
        return Verdict.drop("malformed")
    return Verdict.ok()


# ============================================================================ Telegram
def telegram_kind(update: dict[str, Any]) -> str | None:
    """The update's kind: the field besides update_id (None if there is none). Should a
    forged update carry several, a kind the dialog reads wins, whatever the key order
    (a JSON hop may sort the keys)."""
    return next((k for k in TELEGRAM_KINDS if k in update),
                next((k for k in update if k != "update_id"), None))


def admit_telegram(update: Any, now_s: int) -> Verdict:
    """Whether one Telegram update goes on to the dialog."""
    if not isinstance(update, dict) or not _int(update.get("update_id"), 0, MAX_SAFE_INT):
        return Verdict.drop("malformed")
    kind = telegram_kind(update)
    if kind not in TELEGRAM_KINDS:
        return Verdict.drop(f"unused update: {str(kind)[:32]}")
    body = update[kind]
    if not isinstance(body, dict):
        return Verdict.drop("malformed")
    if not _numbers_fit(body):
        return Verdict.drop("absurd number")
    if kind == "message":
        return _message(body, now_s)
    if kind == "callback_query":
        return _callback(body)
    return _membership(body, now_s)


def _person(sender: Any) -> Verdict | None:
    """None if `sender` is a person; a drop verdict otherwise."""
    if not isinstance(sender, dict) or not _id_int(sender.get("id")):
        return Verdict.drop("no sender")
    if sender.get("is_bot") is True:
        return Verdict.drop("from a bot")
    return None


def _chat(chat: Any) -> str | None:
    """The chat's type, if the chat object is sound."""
    if not isinstance(chat, dict) or not _id_int(chat.get("id")):
        return None
    kind = chat.get("type")
    return kind if isinstance(kind, str) else None


def _date_ok(value: Any, now_s: int) -> bool:
    return _int(value, TELEGRAM_EPOCH_S, max(now_s + FUTURE_SLACK_S, LATEST_S))


def _message(message: dict[str, Any], now_s: int) -> Verdict:
    chat = _chat(message.get("chat"))
    if chat is None:
        return Verdict.drop("malformed chat")
    if not _date_ok(message.get("date"), now_s):
        return Verdict.drop("absurd date")
    if chat != "private":
        # The bot's arrival comes as my_chat_member too: that one is acted on.
        return Verdict.drop("group chat")
    refused = _person(message.get("from"))
    if refused is not None:
        return refused
    if not TELEGRAM_CONTENT & message.keys():
        return Verdict.drop("service message")
    return Verdict.ok()


def _callback(query: dict[str, Any]) -> Verdict:
    refused = _person(query.get("from"))
    if refused is not None:
        return refused
    data = query.get("data")
    if not isinstance(data, str):
        return Verdict.drop("no callback data")  # a game, or an inline message's button
    if len(data.encode()) > MAX_CALLBACK_DATA or not isinstance(query.get("id"), str):
        return Verdict.drop("absurd callback")
    message = query.get("message")
    if not isinstance(message, dict):
        return Verdict.drop("no message")  # only inline messages lack one; we send none
    chat = _chat(message.get("chat"))
    if chat != "private":
        return Verdict.drop("group chat" if chat else "malformed chat")
    return Verdict.ok()


def _membership(change: dict[str, Any], now_s: int) -> Verdict:
    chat = _chat(change.get("chat"))
    if chat is None:
        return Verdict.drop("malformed chat")
    if not _date_ok(change.get("date"), now_s):
        return Verdict.drop("absurd date")
    sender = change.get("from")
    if not isinstance(sender, dict) or not _id_int(sender.get("id")):
        return Verdict.drop("no sender")
    new = change.get("new_chat_member")
    status = _text(new.get("status")) if isinstance(new, dict) else None
    if chat == "private":
        # kicked: the patient blocked the bot; member: they came back.
        return Verdict.ok() if status in ("kicked", "member") else Verdict.drop("membership")
    if chat in _GROUP_CHATS and status in _PRESENT:
        old = change.get("old_chat_member")
        was = _text(old.get("status")) if isinstance(old, dict) else None
        # Added (not promoted inside a group it is already in): say where to talk, leave.
        return Verdict.ok() if was not in _PRESENT else Verdict.drop("membership")
    return Verdict.drop("membership")
