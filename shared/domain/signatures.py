"""Webhook authenticity checks (pure, constant-time)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def line_signature(body: bytes, channel_secret: str) -> str:
    """x-line-signature: Base64(HMAC-SHA256(raw body, channel secret))."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def valid_line_signature(body: bytes, signature: str | None, channel_secret: str) -> bool:
    if not signature or not channel_secret:
        return False
    return hmac.compare_digest(line_signature(body, channel_secret).encode(), signature.encode())


def valid_telegram_secret(header: str | None, secret: str) -> bool:
    """X-Telegram-Bot-Api-Secret-Token equals the secret given to setWebhook."""
    if not header or not secret:
        return False
    return hmac.compare_digest(header.encode(), secret.encode())


def stable_id(*parts: str) -> str:
    """A short, non-sequential, path-safe id for idempotency keys and task names."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
