"""Operator actions on the platforms (not used by the functions): Telegram webhook
registration, the platforms' native menus (LINE rich menus, Telegram commands and menu
button) and the Cloud Scheduler job that fires the reminder tick."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.domain.navigation import ACTION_LABEL_MAX_CHARS, CommandList, RichMenuLayout

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


# --------------------------------------------------------------------------- navigation
@dataclass(frozen=True)
class InstalledMenu:
    language: str
    alias: str
    rich_menu_id: str
    replaced: str | None  # the menu the alias pointed to before (now deleted)
    default: bool


def install_line_rich_menus(
    access_token: str,
    menus: Sequence[tuple[RichMenuLayout, bytes]],
    *,
    default_language: str,
    api_base_url: str = "https://api.line.me",
    data_api_base_url: str = "https://api-data.line.me",
) -> list[InstalledMenu]:
    """Create each language's rich menu with its PNG, point its alias at it, make the
    default language's the channel default, then delete the menus they replace (an
    uploaded image cannot be changed: a new image is a new menu). A failure leaves the
    previous menus in place and deletes the half-made one."""
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob

    installed: list[InstalledMenu] = []
    with ApiClient(Configuration(host=api_base_url, access_token=access_token)) as client, \
            ApiClient(Configuration(host=data_api_base_url, access_token=access_token)) as data:
        api, blob = MessagingApi(client), MessagingApiBlob(data)
        for layout, image in menus:
            new_id = api.create_rich_menu(_rich_menu_request(layout)).rich_menu_id
            try:
                blob.set_rich_menu_image(new_id, image, _headers={"Content-Type": "image/png"})
                old_id = _alias_target(api, layout.alias)
                _point_alias(api, layout.alias, new_id, exists=old_id is not None)
                default = layout.language == default_language
                if default:
                    api.set_default_rich_menu(new_id)
            except Exception:
                api.delete_rich_menu(new_id)
                raise
            if old_id is not None and old_id != new_id:
                api.delete_rich_menu(old_id)
            installed.append(InstalledMenu(layout.language, layout.alias, new_id, old_id, default))
    return installed


def _rich_menu_request(layout: RichMenuLayout) -> Any:
    from linebot.v3.messaging import (
        PostbackAction,
        RichMenuArea,
        RichMenuBounds,
        RichMenuRequest,
        RichMenuSize,
    )

    return RichMenuRequest(
        size=RichMenuSize(width=layout.width, height=layout.height), selected=True,
        name=layout.name, chat_bar_text=layout.chat_bar_text,
        areas=[RichMenuArea(
            bounds=RichMenuBounds(x=a.x, y=a.y, width=a.width, height=a.height),
            # displayText shows the tap as the patient's own message, in their language.
            action=PostbackAction(label=a.label[:ACTION_LABEL_MAX_CHARS], data=a.data,
                                  display_text=a.label))
            for a in layout.areas])


def _alias_target(api: Any, alias: str) -> str | None:
    from linebot.v3.messaging.exceptions import ApiException

    try:
        return str(api.get_rich_menu_alias(alias).rich_menu_id)
    except ApiException as error:
        if error.status in (400, 404):  # no such alias
            return None
        raise


def _point_alias(api: Any, alias: str, rich_menu_id: str, *, exists: bool) -> None:
    from linebot.v3.messaging import CreateRichMenuAliasRequest, UpdateRichMenuAliasRequest

    if exists:
        api.update_rich_menu_alias(alias, UpdateRichMenuAliasRequest(rich_menu_id=rich_menu_id))
    else:
        api.create_rich_menu_alias(CreateRichMenuAliasRequest(
            rich_menu_alias_id=alias, rich_menu_id=rich_menu_id))


def set_telegram_commands(token: str, lists: Sequence[CommandList], base_url: str = "") -> int:
    """setMyCommands for every language_code (and the default list), then the menu
    button that opens them; the number of lists set."""
    from telegram import Bot, BotCommand, MenuButtonCommands

    async def run() -> int:
        bot_client = Bot(token, base_url=base_url) if base_url else Bot(token)
        async with bot_client as bot:
            for entry in lists:
                await bot.set_my_commands(
                    [BotCommand(name, description) for name, description in entry.commands],
                    language_code=entry.language_code or None)
            await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
        return len(lists)

    return asyncio.run(run())
