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


class RecordingMessenger:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.sends: list[SentRecord] = []
        self.loading: list[tuple[str, int]] = []  # (chat_id, seconds)
        self.acks: list[str] = []
        self._audio: dict[str, bytes] = {}
        self._spent_tokens: set[str] = set()
        self._pushed_keys: set[str] = set()
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
    ) -> None:
        with self._lock:
            if self._failures:
                raise self._failures.pop(0)
            if not messages:
                return
            by_reply = False
            if self.channel is Channel.LINE:
                by_reply = reply_token is not None and reply_token not in self._spent_tokens
                if reply_token is not None:
                    self._spent_tokens.add(reply_token)
                if not by_reply:
                    if key in self._pushed_keys:
                        return  # LINE: 409, already accepted
                    self._pushed_keys.add(key)
            self.sends.append(SentRecord(chat_id, tuple(messages), key, by_reply))

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

    def delivered_texts(self, chat_id: str) -> list[str]:
        """Text bubbles as the user would see them (split to the platform's limit)."""
        return [
            chunk
            for message in self.messages_to(chat_id)
            if isinstance(message, Text)
            for chunk in split_for(self.channel, message.text)
        ]
