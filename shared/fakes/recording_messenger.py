"""In-memory Messenger that records what would have been sent.

It keeps the platform rules that services depend on, so tests on it mean something:

- LINE: a reply token works once (and not after `expire_reply_token`); a send without
  a usable token is a push, and a push whose `key` was pushed before is dropped, as
  LINE drops a push whose X-Line-Retry-Key it already accepted (answering 409). A send
  that went out by reply registers no key, exactly like LINE: retrying it after the
  token is spent pushes it again. Deduplication is per whole send here; the real
  adapter keys each batch of 5, which only differs after a partial failure.
- Telegram: no reply tokens and no retry key, so every send is delivered; the caller
  must record sent keys itself (see services/delivery).
- Ids: send() returns one id per bubble (a Text split to the platform's limit gives
  several; Audio and Cards one each), numbered per chat as Telegram does; a dropped LINE
  push returns the ids of the push it repeats, as LINE's 409 lists them.
- retract() is recorded on both channels (`retractions`); on Telegram it removes the
  messages from `visible_to` (not from `messages_to`, which keeps what was ever sent).
  The 48 h limit of deleteMessage is not modelled; LINE removes nothing.

tests/contract/test_messenger_contract.py runs the same suite against this fake and the
real adapters on infra/local/platforms.py, so the two cannot drift apart.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from shared.domain.channels import Channel
from shared.domain.errors import MediaTooLarge, MessengerError
from shared.domain.messages import OutMessage, Text
from shared.domain.text_split import split_for


@dataclass(frozen=True)
class SentRecord:
    chat_id: str
    messages: tuple[OutMessage, ...]
    key: str
    used_reply_token: bool
    ids: tuple[tuple[str, ...], ...] = ()  # the bubble ids of each message


@dataclass(frozen=True)
class Retraction:
    chat_id: str
    message_ids: tuple[str, ...]
    note: str | None


class RecordingMessenger:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.sends: list[SentRecord] = []
        self.loading: list[tuple[str, int]] = []  # (chat_id, seconds)
        self.acks: list[str] = []
        self._audio: dict[str, bytes] = {}
        self._spent_tokens: set[str] = set()
        self.retractions: list[Retraction] = []
        self.retracted: set[tuple[str, str]] = set()  # (chat_id, id) taken out (Telegram)
        self._pushed_keys: dict[str, list[str]] = {}
        self._next_id: dict[str, int] = {}
        self._failures: list[MessengerError] = []
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ Messenger
    def send(
        self,
        chat_id: str,
        messages: Sequence[OutMessage],
        *,
        key: str,
        reply_token: str | None = None,
    ) -> list[str]:
        with self._lock:
            if self._failures:
                raise self._failures.pop(0)
            if not messages:
                return []
            by_reply = False
            if self.channel is Channel.LINE:
                by_reply = reply_token is not None and reply_token not in self._spent_tokens
                if reply_token is not None:
                    self._spent_tokens.add(reply_token)
                if not by_reply and key in self._pushed_keys:
                    return list(self._pushed_keys[key])  # LINE: 409, already accepted
            ids = tuple(self._bubble_ids(chat_id, m) for m in messages)
            if self.channel is Channel.LINE and not by_reply:
                self._pushed_keys[key] = [i for group in ids for i in group]
            self.sends.append(SentRecord(chat_id, tuple(messages), key, by_reply, ids))
            return [i for group in ids for i in group]

    def _bubble_ids(self, chat_id: str, message: OutMessage) -> tuple[str, ...]:
        bubbles = max(1, len(split_for(self.channel, message.text))) \
            if isinstance(message, Text) else 1
        first = self._next_id.get(chat_id, 0) + 1
        self._next_id[chat_id] = first + bubbles - 1
        base = 0 if self.channel is Channel.TELEGRAM else 10**17  # LINE ids are long
        return tuple(str(base + n) for n in range(first, first + bubbles))

    def retract(
        self, chat_id: str, message_ids: Sequence[str], *, note: str | None = None
    ) -> None:
        with self._lock:
            self.retractions.append(Retraction(chat_id, tuple(message_ids), note))
            if self.channel is Channel.TELEGRAM:  # LINE can neither delete nor edit
                self.retracted.update((chat_id, i) for i in message_ids)

    def show_loading(self, chat_id: str, seconds: int = 20) -> None:
        with self._lock:
            self.loading.append((chat_id, seconds))

    def acknowledge(self, callback_id: str) -> None:
        with self._lock:
            self.acks.append(callback_id)

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

    def fail_next(self, count: int = 1, *, retryable: bool = True, status: int = 500) -> None:
        """The next `count` sends raise MessengerError (for fault tests)."""
        with self._lock:
            self._failures.extend(
                MessengerError("injected failure", retryable=retryable, status=status)
                for _ in range(count)
            )

    def messages_to(self, chat_id: str) -> list[OutMessage]:
        with self._lock:
            return [m for s in self.sends if s.chat_id == chat_id for m in s.messages]

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

    def delivered_texts(self, chat_id: str) -> list[str]:
        """Text bubbles as the user would see them (split to the platform's limit)."""
        return [
            chunk
            for message in self.messages_to(chat_id)
            if isinstance(message, Text)
            for chunk in split_for(self.channel, message.text)
        ]
