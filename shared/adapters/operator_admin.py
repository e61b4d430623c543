"""Operator actions on the platforms (not used by the functions): Telegram webhook
registration and the Cloud Scheduler job that fires the reminder tick."""

from __future__ import annotations

import asyncio
from typing import Any

# The update types the bot reads: messages, button taps, and my_chat_member, which says
# that a patient blocked the bot (kicked) or came back (member). Telegram delivers only
# these; anything else (groups' chat_member, reactions, inline queries, ...) never
# reaches the webhook. setWebhook without allowed_updates would keep the old list.
TELEGRAM_UPDATES = ("message", "callback_query", "my_chat_member")


def set_telegram_webhook(token: str, url: str, secret: str, base_url: str = "") -> bool:
    """setWebhook with secret_token, so every update carries it in a header, and the
    update types MedBot reads (TELEGRAM_UPDATES)."""
    from telegram import Bot

    async def run() -> bool:
        bot_client = Bot(token, base_url=base_url) if base_url else Bot(token)
        async with bot_client as bot:
            return bool(await bot.set_webhook(
                url=url, secret_token=secret, drop_pending_updates=False,
                allowed_updates=list(TELEGRAM_UPDATES)))

    return asyncio.run(run())


class ReminderJob:
    """Pause, resume or run now the Cloud Scheduler job behind reminder_tick."""

    def __init__(self, project: str, region: str, job: str, client: Any | None = None) -> None:
        if client is None:  # tests pass a client with the same three methods
            from google.cloud import scheduler_v1

            client = scheduler_v1.CloudSchedulerClient()
        self._client = client
        self.name = f"projects/{project}/locations/{region}/jobs/{job}"

    def pause(self) -> str:
        return str(self._client.pause_job(name=self.name).state.name)

    def resume(self) -> str:
        return str(self._client.resume_job(name=self.name).state.name)

    def run_now(self) -> str:
        return str(self._client.run_job(name=self.name).state.name)
