"""Errors that messengers raise, in the project's own terms (no SDK types leak out)."""

from __future__ import annotations


class MessengerError(Exception):
    """A chat platform call failed after the adapter's own handling.

    `retryable` tells the task handler whether running the task again can help
    (5xx, 429, timeouts) or not (a rejected message, an unknown chat). `status` is the
    platform's HTTP status when there was one; `retry_after_s` the wait a rate limit
    asked for (Telegram's parameters.retry_after, LINE's Retry-After), if it named one.
    The message never contains user text.
    """

    def __init__(self, message: str, *, retryable: bool = True, status: int | None = None,
                 retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after_s = retry_after_s


class MediaTooLarge(Exception):
    """A user's media file is larger than the caller's limit; it was not (fully) read."""

    def __init__(self, size: int | None, max_bytes: int) -> None:
        shown = "unknown size" if size is None else f"{size} bytes"
        super().__init__(f"media file too large: {shown} > {max_bytes} bytes")
        self.size = size
        self.max_bytes = max_bytes
