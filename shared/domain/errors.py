"""Errors that messengers raise, in the project's own terms (no SDK types leak out)."""

from __future__ import annotations

# Telegram's answer to any call into the chat of a user who blocked the bot (403).
TELEGRAM_BLOCKED = "Forbidden: bot was blocked by the user"


def is_transient(status: int | None) -> bool:
    """Whether trying the same call again later can succeed, by the platform's HTTP
    status: no answer at all (None: a timeout, a lost connection), a rate limit (429) or
    a server error (5xx). Any other status is permanent: 400 a refused request, 401 a
    bad token, 403 forbidden (on Telegram: the user blocked the bot), 404 unknown."""
    return status is None or status == 429 or status >= 500


class MessengerError(Exception):
    """A chat platform call failed after the adapter's own handling.

    Two classes, and both adapters and the in-memory fake draw the line in the same
    place (`is_transient`; tests/contract/test_messenger_contract.py):
    * transient (`retryable`): 429, 5xx, timeouts, lost connections. Running the task
      again can help; a 429 may carry `retry_after_s`, the wait the platform asked for
      (Telegram's parameters.retry_after, LINE's Retry-After).
    * permanent (`permanent`): every other status (a refused message, an unknown chat, a
      spent LINE monthly quota). The same call will fail again: no retry.
    `unreachable` marks the permanent errors that say the user cannot be reached on this
    channel at all (Telegram 403: "bot was blocked by the user", a deleted account). LINE
    never says so in an error: a push to a user who blocked the account is answered 200
    and delivered to no one; the unfollow event is what tells.

    `status` is the platform's HTTP status when there was one. The message never
    contains user text.
    """

    def __init__(self, message: str, *, retryable: bool = True, status: int | None = None,
                 retry_after_s: float | None = None, unreachable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after_s = retry_after_s
        self.unreachable = unreachable

    @property
    def permanent(self) -> bool:
        return not self.retryable


class MediaTooLarge(Exception):
    """A user's media file is larger than the caller's limit; it was not (fully) read."""

    def __init__(self, size: int | None, max_bytes: int) -> None:
        shown = "unknown size" if size is None else f"{size} bytes"
        super().__init__(f"media file too large: {shown} > {max_bytes} bytes")
        self.size = size
        self.max_bytes = max_bytes
