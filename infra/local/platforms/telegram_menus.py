"""Telegram's command menu as the Bot API serves it (bot side), and what a user's app
shows (the simulator page).

    setMyCommands, getMyCommands, deleteMyCommands   commands by scope and language_code
    setChatMenuButton, getChatMenuButton            the menu button (all chats or one)

Rules from the Bot API reference: at most 100 commands; a command is 1-32 characters of
lowercase English letters, digits and underscores ("Bad Request: BOT_COMMAND_INVALID"
otherwise), its description 1-256 characters; language_code is empty or a two-letter
ISO 639-1 code; scopes default, all_private_chats, all_group_chats,
all_chat_administrators, chat, chat_administrators, chat_member. A user's private chat
shows the first list found in Telegram's documented order: chat + language, chat,
all_private_chats + language, all_private_chats, default + language, default; the
language is the app's (the first two letters of the user's language_code).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from infra.local.platforms.records import Json
from infra.local.platforms.validators import telegram_error

if TYPE_CHECKING:
    from infra.local.platforms.state import PlatformState

MAX_COMMANDS = 100
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators",
           "chat", "chat_administrators", "chat_member"}
_MENU_BUTTONS = {"commands", "web_app", "default"}

Scope = tuple[str, str]  # (type, chat id or "")


def _decoded(value: Any) -> Any:
    """Bot API parameters may arrive JSON-encoded in a form (as PTB sends them)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise telegram_error(400, "Bad Request: can't parse JSON object") from None
    return value


class TelegramMenus:
    def __init__(self, state: PlatformState) -> None:
        self._state = state
        self._commands: dict[tuple[Scope, str], list[Json]] = {}
        self._buttons: dict[str, Json] = {}  # chat id ("" = the default) -> menu button
        state.telegram.register({
            "setmycommands": self._set_commands, "getmycommands": self._get_commands,
            "deletemycommands": self._delete_commands,
            "setchatmenubutton": self._set_button, "getchatmenubutton": self._get_button,
        })

    # ------------------------------------------------------------------ bot side
    def _scope(self, params: Json) -> Scope:
        raw = _decoded(params.get("scope")) if params.get("scope") is not None else {}
        if not isinstance(raw, dict):
            raise telegram_error(400, "Bad Request: can't parse BotCommandScope")
        kind = raw.get("type", "default")
        if kind not in _SCOPES:
            raise telegram_error(400, "Bad Request: unsupported scope type specified")
        chat = str(raw.get("chat_id", "")) if kind in ("chat", "chat_administrators",
                                                        "chat_member") else ""
        if kind.startswith("chat") and not chat:
            raise telegram_error(400, "Bad Request: chat_id is empty")
        if chat:
            self._state.telegram.private_chat(chat)  # "Bad Request: chat not found"
        return kind, chat

    @staticmethod
    def _language(params: Json) -> str:
        code = str(params.get("language_code") or "")
        if code and not _LANGUAGE.fullmatch(code):
            raise telegram_error(400, "Bad Request: invalid language code specified")
        return code

    def _set_commands(self, params: Json, files: Mapping[str, bytes]) -> Any:
        commands = _decoded(params.get("commands"))
        if not isinstance(commands, list) or len(commands) > MAX_COMMANDS:
            raise telegram_error(400, "Bad Request: commands must be an array of at most 100")
        checked: list[Json] = []
        for entry in commands:
            if not isinstance(entry, dict) or "description" not in entry:
                raise telegram_error(400, "Bad Request: can't parse BotCommand: "
                                          "Can't find field \"description\"")
            name, text = entry.get("command"), entry.get("description")
            if not isinstance(name, str) or not _COMMAND.fullmatch(name):
                raise telegram_error(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(text, str) or not text.strip():
                raise telegram_error(400, "Bad Request: command description must be non-empty")
            if len(text) > 256:
                raise telegram_error(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": name, "description": text})
        key = (self._scope(params), self._language(params))
        with self._state.lock:
            if checked:
                self._commands[key] = checked
            else:
                self._commands.pop(key, None)
            self._state.bump()
        return True

    def _get_commands(self, params: Json, files: Mapping[str, bytes]) -> Any:
        key = (self._scope(params), self._language(params))
        with self._state.lock:
            return list(self._commands.get(key, []))

    def _delete_commands(self, params: Json, files: Mapping[str, bytes]) -> Any:
        key = (self._scope(params), self._language(params))
        with self._state.lock:
            self._commands.pop(key, None)
            self._state.bump()
        return True

    def _set_button(self, params: Json, files: Mapping[str, bytes]) -> Any:
        chat = str(params.get("chat_id") or "")
        if chat:
            self._state.telegram.private_chat(chat)  # "chat not found" for anyone else
        button = _decoded(params.get("menu_button")) if params.get("menu_button") else \
            {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTONS:
            raise telegram_error(400, "Bad Request: unsupported menu button type")
        if button["type"] == "web_app" and not (button.get("text") and button.get("web_app")):
            raise telegram_error(400, "Bad Request: menu button text and web_app are required")
        with self._state.lock:
            self._buttons[chat] = button
            self._state.bump()
        return True

    def _get_button(self, params: Json, files: Mapping[str, bytes]) -> Any:
        chat = str(params.get("chat_id") or "")
        with self._state.lock:
            return self._buttons.get(chat) or self._buttons.get("") or {"type": "default"}

    # ------------------------------------------------------------------ user side
    def shown_to(self, chat_id: str, language_code: str) -> tuple[list[Json], Json]:
        """The commands and the menu button a private chat's app shows."""
        language = (language_code or "")[:2].lower()
        order: list[tuple[Scope, str]] = [
            (("chat", chat_id), language), (("chat", chat_id), ""),
            (("all_private_chats", ""), language), (("all_private_chats", ""), ""),
            (("default", ""), language), (("default", ""), "")]
        with self._state.lock:
            commands = next((list(self._commands[k]) for k in order if k in self._commands), [])
            button = self._buttons.get(chat_id) or self._buttons.get("") or {"type": "default"}
        if button.get("type") == "default":  # Telegram shows the command list if any
            button = {"type": "commands" if commands else "default"}
        return commands, button

