"""Native navigation: LINE's rich menu and Telegram's command menu, in each UI language
(pure: layouts and texts from the catalogs; the ops command sends them, infra/ops.py).

LINE: one rich menu per UI language, each under a stable alias ("medbot-zh-tw",
"medbot-en", "medbot-ru"). The zh-TW menu is the channel's default (LINE's users are
mostly in Taiwan; it shows before MedBot knows anyone's language); the dialog links each
user to the menu of their language when it learns or changes it (linking is an API call,
not a message: it costs no message quota). Why this and not one menu with language tabs
(rich-menu aliases switched by a richmenuswitch action): MedBot already knows the
language from the profile or the patient's choice, so a tab would be one more thing to
get wrong; and the aliases mean the bot needs no menu ids in its settings: re-running
the ops command (a new image) swaps the menus without a deploy.

Telegram: the command list per language_code (two-letter ISO 639-1: "zh", "en", "ru";
Telegram picks the list by the app's language, falling back to the list without a code,
which is English here), and the chat menu button opening that list.

The areas and commands carry the data the dialog already reads: "mode:edu" is the main
menu's Health education button, "/education" the same as a slash command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from shared.domain.i18n import UI_LANGUAGES, t

# LINE rich menus (Messaging API reference, "Rich menu" and "Upload rich menu image").
RICH_MENU_WIDTH: Final = 2500  # image and menu width: 800 to 2500 px
RICH_MENU_HEIGHT: Final = 843  # at least 250 px; width / height at least 1.45
RICH_MENU_MAX_AREAS: Final = 20
RICH_MENU_MAX_IMAGE_BYTES: Final = 1024 * 1024  # JPEG or PNG, at most 1 MB
CHAT_BAR_MAX_CHARS: Final = 14
ACTION_LABEL_MAX_CHARS: Final = 20  # a postback action's label (read by screen readers)
ALIAS_PATTERN: Final = re.compile(r"[a-z0-9_-]{1,32}")  # richMenuAliasId
RICH_MENU_NAME_PREFIX: Final = "medbot"

# Telegram bot commands (Bot API "BotCommand", "setMyCommands").
COMMAND_PATTERN: Final = re.compile(r"[a-z0-9_]{1,32}")
COMMAND_DESCRIPTION_MAX_CHARS: Final = 256
MAX_COMMANDS: Final = 100
TELEGRAM_LANGUAGE_CODES: Final[dict[str, str]] = {"zh-TW": "zh", "en": "en", "ru": "ru"}
TELEGRAM_DEFAULT_LANGUAGE: Final = "en"  # the list for every other app language


@dataclass(frozen=True)
class Destination:
    """Somewhere the navigation takes the patient: a menu tile and a command."""

    key: str
    label: str  # catalog key of the title
    hint: str  # catalog key of the line under it
    data: str  # the button data the dialog reads
    command: str  # the Telegram command that does the same


DESTINATIONS: Final = (
    Destination("education", "menu.education", "nav.hint.education", "mode:edu", "education"),
    Destination("translation", "menu.translation", "nav.hint.translation", "mode:tr",
                "translate"),
    Destination("medication", "menu.medication", "nav.hint.medication", "mode:med",
                "medication"),
    Destination("help", "menu.help", "nav.hint.help", "help", "help"),
)

# Telegram's menu: the destinations, then what works in any state.
COMMANDS: Final = ("start", "menu", *(d.command for d in DESTINATIONS if d.key != "help"),
                   "help", "language", "cancel", "delete")


@dataclass(frozen=True)
class Area:
    """A tappable rectangle of the rich menu and the postback it sends."""

    x: int
    y: int
    width: int
    height: int
    data: str
    label: str  # the action's label and the text shown as the patient's message
    hint: str  # drawn under the label on the image


@dataclass(frozen=True)
class RichMenuLayout:
    language: str
    alias: str
    name: str
    chat_bar_text: str
    width: int
    height: int
    areas: tuple[Area, ...]


def rich_menu_alias(language: str) -> str:
    """The alias of a UI language's rich menu ("zh-TW" -> "medbot-zh-tw")."""
    return f"{RICH_MENU_NAME_PREFIX}-{language.lower()}"


def rich_menu_layout(language: str) -> RichMenuLayout:
    """The rich menu of a UI language: one column per destination."""
    count = len(DESTINATIONS)
    edges = [round(i * RICH_MENU_WIDTH / count) for i in range(count + 1)]
    areas = tuple(
        Area(x=edges[i], y=0, width=edges[i + 1] - edges[i], height=RICH_MENU_HEIGHT,
             data=d.data, label=t(language, d.label), hint=t(language, d.hint))
        for i, d in enumerate(DESTINATIONS))
    return RichMenuLayout(
        language=language, alias=rich_menu_alias(language),
        name=f"{RICH_MENU_NAME_PREFIX} {language}", chat_bar_text=t(language, "nav.chat_bar"),
        width=RICH_MENU_WIDTH, height=RICH_MENU_HEIGHT, areas=areas)


def rich_menu_layouts() -> tuple[RichMenuLayout, ...]:
    return tuple(rich_menu_layout(language) for language in UI_LANGUAGES)


DEFAULT_RICH_MENU_LANGUAGE: Final = "zh-TW"


@dataclass(frozen=True)
class CommandList:
    """The commands shown to Telegram apps in one language ("" = every other one)."""

    language_code: str
    commands: tuple[tuple[str, str], ...]  # (command, description)


def telegram_commands(language: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, t(language, f"nav.command.{name}")) for name in COMMANDS)


def telegram_command_lists() -> tuple[CommandList, ...]:
    """One list per UI language, and the default list (English) for the rest."""
    return (*(CommandList(code, telegram_commands(language))
              for language, code in TELEGRAM_LANGUAGE_CODES.items()),
            CommandList("", telegram_commands(TELEGRAM_DEFAULT_LANGUAGE)))
