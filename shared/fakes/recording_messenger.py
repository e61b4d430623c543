"""In-memory Messenger that records what would have been sent.

It renders every send with the real adapters' pure renderers (LINE wire JSON, Telegram
Bot API calls) and passes each part through the same platform rules as the local
LINE/Telegram stand-in (platform_rules.py), so a flow test fails when a message would be
refused or degraded: MessengerError(status=400, retryable=False), as the adapter would
raise. It keeps the platform rules services depend on, so tests on it mean something:

- Parts: a send is planned into the same parts as the real adapters' (LINE: up to 5
  messages per call; Telegram: one bubble per call); `start` skips parts delivered by an
  earlier attempt and `on_part` reports each delivered part.
- LINE: a reply token works once (and not after `expire_reply_token`), for the first
  part only; other parts are pushes, and a push whose retry key (key, part index) was
  pushed before is dropped, as LINE drops a push whose X-Line-Retry-Key it already
  accepted (answering 409 with the earlier ids). A part that went out by reply
  registers no key, exactly like LINE: retrying it after the token is spent pushes it
  again.
- Telegram: no reply tokens and no retry key, so every part is delivered; the caller
  must record delivered parts itself (see plumbing/delivery).
- Ids: one per bubble, numbered per chat as Telegram does (LINE ids are long).
- retract() is recorded on both channels (`retractions`); on Telegram it removes the
  messages from `visible_to` (not from `messages_to`, which keeps what was ever sent).
  The 48 h limit of deleteMessage is not modelled; LINE removes nothing.
- Faults: `fail_next(n, ..., after_parts=k)` fails the next n parts after k succeed
  (a 429 can carry `retry_after_s`, as Telegram's parameters.retry_after does). The
  error is transient or permanent by its status, as the adapters classify it
  (errors.is_transient); a Telegram 403 is also `unreachable`.
- Groups: `leave(chat_id)` is recorded in `left`; a send to a chat the bot left then
  fails as the platform refuses it (LINE 400, Telegram 403; permanent).
- Blocked users: after `block(chat_id)` a Telegram send raises what the adapter raises
  for 403 "Forbidden: bot was blocked by the user" (permanent, unreachable); a LINE
  send succeeds and reaches no one (LINE answers 200), counted in `undelivered`.
  Loading indicators and retractions fail quietly, as the adapters let them.

tests/contract/test_messenger_contract.py runs the same suite against this fake and the
real adapters on infra/local/platforms/, so the two cannot drift apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.domain.channels import Channel
from shared.domain.errors import TELEGRAM_BLOCKED, MediaTooLarge, MessengerError, is_transient
from shared.domain.messages import OutMessage, Text
from shared.fakes.platform_rules import (
    MediaLookup,
    Problem,
    line_message_problems,
)
from shared.fakes.recorded_texts import keyboard_labels as _keyboard_labels
from shared.fakes.recorded_texts import telegram_texts as _telegram_texts
from shared.fakes.sent_records import Part, Retraction, SentRecord
from shared.fakes.telegram_rules import telegram_call_problems
from shared.wire.line import batches, rendered, retry_key
from shared.wire.telegram import render_calls

OnPart = Callable[[int, list[str]], None]


@dataclass
class _Fault:
    error: MessengerError
    after: int  # parts to let through first


@dataclass
class _Progress:
    """What the parts of one (chat, key) delivered so far: ids by message index."""

    ids: dict[int, list[str]] = field(default_factory=dict)


class RecordingMessenger:
    def __init__(self, channel: Channel, *, media: MediaLookup | None = None,
                 https_origins: Sequence[str] = ()) -> None:
        self.channel = channel
        self.media = media  # url -> bytes: lets the rules check linked audio files
        self.https_origins = tuple(https_origins)
        self.sends: list[SentRecord] = []
        self.bubbles: list[tuple[str, str]] = []  # (chat_id, text) of every text bubble
        self.keyboards: list[tuple[str, tuple[str, ...]]] = []  # (chat_id, labels shown)
        self.loading: list[tuple[str, int]] = []  # (chat_id, seconds)
        self.acks: list[str] = []
        self.parts_sent = 0
        self._audio: dict[str, bytes] = {}
        self._spent_tokens: set[str] = set()
        self.retractions: list[Retraction] = []
        self.retracted: set[tuple[str, str]] = set()  # (chat_id, id) taken out (Telegram)
        # (chat_id, message id) -> the message it now shows, after edit() (Telegram).
        self.edited: dict[tuple[str, str], Text] = {}
        self._pushed_keys: dict[str, list[str]] = {}
        self._progress: dict[tuple[str, str], _Progress] = {}
        self._next_id: dict[str, int] = {}
        self._failures: list[_Fault] = []
        self._blocked: set[str] = set()  # chat ids of users who blocked the bot
        self.undelivered = 0  # LINE parts accepted for a user who blocked the account
        self.left: list[str] = []  # group chats the bot left, in order
        # What chat_link() answers (the adapters ask the platform: bot info / getMe).
        self.link: str | None = ("https://line.me/R/ti/p/%40medbot" if channel is Channel.LINE
                                 else "https://t.me/medbot_bot")
        # LINE profiles' languages (user id -> BCP 47 tag), and the menu each chat shows.
        self.profile_languages: dict[str, str] = {}
        self.menus: dict[str, str] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ planning
    def plan(self, messages: Sequence[OutMessage]) -> list[Part]:
        """The parts of a send, exactly as the real adapter of this channel makes them."""
        if self.channel is Channel.LINE:
            wire = rendered(messages)
            parts: list[Part] = []
            for start in range(0, len(wire), 5):
                chunk = wire[start:start + 5]
                group = batches([w for _, w in chunk])[0]
                parts.append(Part(
                    tuple(i for i, _ in chunk), group,
                    tuple(w["text"] for w in group if w["type"] == "text"),
                    tuple(tuple(item["action"]["label"] for item in w["quickReply"]["items"])
                          for w in group if "quickReply" in w)))
            return parts
        return [Part((call.source,), call, _telegram_texts(call, messages[call.source]),
                     _keyboard_labels(call.params))
                for call in render_calls(messages)]

    def problems(self, chat_id: str, part: Part) -> list[Problem]:
        if self.channel is Channel.LINE:
            return line_message_problems(part.wire, media=self.media,
                                         https_origins=self.https_origins)
        return telegram_call_problems(part.wire.method,
                                      {"chat_id": chat_id, **part.wire.params},
                                      media=self.media)

    # ------------------------------------------------------------------ Messenger
    def send(
        self,
        chat_id: str,
        messages: Sequence[OutMessage],
        *,
        key: str,
        reply_token: str | None = None,
        start: int = 0,
        on_part: OnPart | None = None,
    ) -> list[str]:
        parts = self.plan(messages)
        last_part = {source: index for index, part in enumerate(parts)
                     for source in part.sources}
        sent: list[str] = []
        for index in range(start, len(parts)):
            part = parts[index]
            with self._lock:
                self._fail_if_due()
                if chat_id in self.left:  # what each platform answers for a chat left
                    raise MessengerError(f"{self.channel.value}: not a member of the chat",
                                         retryable=False, status=self._left_status)
                if chat_id in self._blocked and self.channel is Channel.TELEGRAM:
                    raise MessengerError(f"Telegram send: {TELEGRAM_BLOCKED}",
                                         retryable=False, status=403, unreachable=True)
                problem = next(iter(self.problems(chat_id, part)), None)
                if problem is not None:
                    verb = "refuse" if problem.refused else "degrade"
                    raise MessengerError(
                        f"{self.channel.value} would {verb} the message: "
                        f"{problem.prop}: {problem.message}", retryable=False, status=400)
                if chat_id in self._blocked:  # LINE: 200 with ids, delivered to no one
                    self.undelivered += 1
                    ids = self._new_ids(chat_id, len(part.wire))
                    sent += ids
                    if on_part is not None:
                        on_part(index, ids)
                    continue
                ids, by_reply, fresh = self._deliver(chat_id, key, index, part, reply_token)
                progress = self._progress.setdefault((chat_id, key), _Progress())
                for n, source in enumerate(part.sources):
                    progress.ids.setdefault(source, []).append(ids[n] if n < len(ids) else "")
                # Recorded as the part goes out (a crash after it must not hide it); a
                # repeated LINE push (409) completes nothing new.
                completed = [s for s in dict.fromkeys(part.sources)
                             if last_part[s] == index] if fresh else []
                if completed:
                    self.sends.append(SentRecord(
                        chat_id, tuple(messages[i] for i in completed), key, by_reply,
                        tuple(tuple(dict.fromkeys(i for i in progress.ids.get(s, []) if i))
                              for s in completed)))
            sent += ids
            if on_part is not None:
                on_part(index, ids)
        return sent

    def _deliver(self, chat_id: str, key: str, index: int, part: Part,
                 reply_token: str | None) -> tuple[list[str], bool, bool]:
        """(ids, went by reply, delivered now) of one part; a repeated LINE push is not
        delivered again and returns the first ids."""
        by_reply = False
        if self.channel is Channel.LINE:
            if index == 0 and reply_token is not None:
                by_reply = reply_token not in self._spent_tokens
                self._spent_tokens.add(reply_token)
            push_key = retry_key(key, index)
            if not by_reply and push_key in self._pushed_keys:
                return list(self._pushed_keys[push_key]), False, False  # LINE: 409
        ids = self._new_ids(chat_id, len(part.wire) if self.channel is Channel.LINE else 1)
        if self.channel is Channel.LINE and not by_reply:
            self._pushed_keys[retry_key(key, index)] = ids
        self.bubbles += [(chat_id, text) for text in part.texts]
        self.keyboards += [(chat_id, labels) for labels in part.labels]
        self.parts_sent += 1
        return ids, by_reply, True

    def _new_ids(self, chat_id: str, count: int) -> list[str]:
        first = self._next_id.get(chat_id, 0) + 1
        self._next_id[chat_id] = first + count - 1
        base = 0 if self.channel is Channel.TELEGRAM else 10**17  # LINE ids are long
        return [str(base + n) for n in range(first, first + count)]

    def _fail_if_due(self) -> None:
        if not self._failures:
            return
        fault = self._failures[0]
        if fault.after > 0:
            fault.after -= 1
            return
        self._failures.pop(0)
        raise fault.error

    def retract(
        self, chat_id: str, message_ids: Sequence[str], *, note: str | None = None
    ) -> None:
        with self._lock:
            if chat_id in self._blocked:
                return  # Telegram 403, LINE nothing to do: both adapters pass quietly
            self.retractions.append(Retraction(chat_id, tuple(message_ids), note))
            if self.channel is Channel.TELEGRAM:  # LINE can neither delete nor edit
                self.retracted.update((chat_id, i) for i in message_ids)

    @property
    def _left_status(self) -> int:
        # LINE: 400 "Failed to send messages"; Telegram: 403 "bot is not a member".
        return 400 if self.channel is Channel.LINE else 403

    def leave(self, chat_id: str) -> None:
        """Recorded in `left` (repeats included); a LINE id that is neither a group nor
        a room is refused, as the adapter refuses it."""
        if self.channel is Channel.LINE and chat_id[:1] not in ("C", "R"):
            raise MessengerError("LINE leave: not a group or room id", retryable=False)
        with self._lock:
            self.left.append(chat_id)

    def chat_link(self) -> str | None:
        return self.link

    def edit(self, chat_id: str, message_id: str, message: Text) -> bool:
        """Telegram replaces a message it sent (one bubble, within the platform's rules);
        LINE cannot: False, as the real adapters answer."""
        if self.channel is not Channel.TELEGRAM:
            return False
        parts = self.plan([message])
        with self._lock:
            self._fail_if_due()
            known = any(s.chat_id == chat_id and message_id in ids
                        for s in self.sends for ids in s.ids)
            if len(parts) != 1 or not known or (chat_id, message_id) in self.retracted:
                return False
            if self.problems(chat_id, parts[0]):
                return False
            self.edited[(chat_id, message_id)] = message
            self.keyboards += [(chat_id, labels) for labels in parts[0].labels]
            return True

    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        with self._lock:
            if chat_id in self._blocked:
                return  # best effort on both adapters
            self.loading.append((chat_id, seconds))

    def acknowledge(self, callback_id: str) -> None:
        with self._lock:
            self.acks.append(callback_id)

    def profile_language(self, user_id: str) -> str | None:
        with self._lock:
            return self.profile_languages.get(user_id)

    def show_menu(self, chat_id: str, language: str) -> None:
        with self._lock:
            self.menus[chat_id] = language

    def fetch_audio(self, media_id: str, max_bytes: int) -> bytes:
        with self._lock:
            data = self._audio.get(media_id)
        if data is None:
            raise MessengerError("media not found", retryable=False, status=404)
        if len(data) > max_bytes:
            raise MediaTooLarge(len(data), max_bytes)
        return data

    # ------------------------------------------------------------------ test helpers
    def add_audio(self, media_id: str, data: bytes) -> None:
        """Make `media_id` downloadable, as if the user had sent a voice message."""
        with self._lock:
            self._audio[media_id] = data

    def expire_reply_token(self, token: str) -> None:
        with self._lock:
            self._spent_tokens.add(token)

    def fail_next(self, count: int = 1, *, retryable: bool | None = None, status: int = 500,
                  retry_after_s: float | None = None, after_parts: int = 0) -> None:
        """The next `count` parts raise MessengerError, after `after_parts` more parts
        went out (a failure mid-way through a send), as in fault tests. Transient or
        permanent by `status`, as the adapters classify it, unless `retryable` says."""
        transient = is_transient(status) if retryable is None else retryable
        unreachable = status == 403 and self.channel is Channel.TELEGRAM
        with self._lock:
            self._failures.extend(
                _Fault(MessengerError("injected failure", retryable=transient, status=status,
                                      retry_after_s=retry_after_s, unreachable=unreachable),
                       after_parts if i == 0 else 0)
                for i in range(count)
            )

    def block(self, chat_id: str) -> None:
        """The user blocks the bot (see the module docstring for what sends do then)."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: str) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def messages_to(self, chat_id: str) -> list[OutMessage]:
        with self._lock:
            return [m for s in self.sends if s.chat_id == chat_id for m in s.messages]

    def shown_to(self, chat_id: str, *, visible: bool = False) -> list[OutMessage]:
        """messages_to as the chat shows them now: an edited message as edited (and,
        if `visible`, without the retracted ones)."""
        with self._lock:
            shown: list[OutMessage] = []
            for s in self.sends:
                if s.chat_id != chat_id:
                    continue
                for message, ids in zip(s.messages, s.ids, strict=True):
                    if visible and all((chat_id, i) in self.retracted for i in ids):
                        continue
                    edits = [self.edited[(chat_id, i)] for i in ids if (chat_id, i) in self.edited]
                    shown.append(edits[-1] if edits else message)
            return shown

    def visible_to(self, chat_id: str) -> list[OutMessage]:
        """What is still in the chat: messages_to without the retracted ones."""
        with self._lock:
            return [m for s in self.sends if s.chat_id == chat_id
                    for m, ids in zip(s.messages, s.ids, strict=True)
                    if not all((chat_id, i) in self.retracted for i in ids)]

    def retracted_ids(self, chat_id: str) -> list[str]:
        """Ids passed to retract() for `chat_id`, in call order (repeats included)."""
        with self._lock:
            return [i for r in self.retractions if r.chat_id == chat_id for i in r.message_ids]

    def button_labels(self, chat_id: str) -> list[list[str]]:
        """The labels of each delivered bubble with buttons, as the platform shows them
        (LINE quick reply items, Telegram inline keyboards)."""
        with self._lock:
            return [list(labels) for chat, labels in self.keyboards if chat == chat_id]

    def delivered_texts(self, chat_id: str) -> list[str]:
        """Text bubbles as the user saw them (split to the platform's limit)."""
        with self._lock:
            return [text for chat, text in self.bubbles if chat == chat_id]
