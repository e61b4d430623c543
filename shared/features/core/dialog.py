"""The conversation every mode shares: welcome, the main menu, help, the UI language,
"delete my data", retrying a failed job, and the answers to what no mode understands."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from shared.domain.dialog import ANY, DialogPart, Intent, State, Step
from shared.domain.i18n import UI_LANGUAGES, t
from shared.domain.messages import Button, Text
from shared.jobs import Job
from shared.plumbing.features import MenuEntry
from shared.plumbing.turns import Handler, Reply, Turn

# Typed commands, in every UI language, that work in any state.
COMMAND_WORDS: Final[dict[str, str]] = {
    **dict.fromkeys(("help", "/help", "?", "說明", "幫助", "помощь", "справка"), Intent.HELP),
    **dict.fromkeys(("new", "/start", "/new", "restart", "開始", "重新開始", "новый", "начать"),
                    Intent.START),
    **dict.fromkeys(("menu", "/menu", "選單", "меню"), Intent.MENU),
    **dict.fromkeys(("language", "/language", "語言", "язык"), Intent.LANGUAGE_ASK),
    **dict.fromkeys(("delete my data", "/delete", "刪除我的資料", "删除我的资料",
                     "удалить мои данные"), Intent.DELETE_ASK),
}

DIALOG: Final = DialogPart(
    states={State.MENU: None},
    verbs={"menu": Intent.MENU, "help": Intent.HELP, "lang": Intent.LANGUAGE_SET,
           "language": Intent.LANGUAGE_ASK, "del": Intent.DELETE_CONFIRM,
           "keep": Intent.DELETE_CANCEL, "retry": Intent.RETRY},
    words=COMMAND_WORDS,
    rows={
        (ANY, Intent.START): Step("welcome", State.MENU),
        (ANY, Intent.MENU): Step("show_menu", State.MENU),
        (ANY, Intent.HELP): Step("show_help"),
        (ANY, Intent.LANGUAGE_ASK): Step("ask_language"),
        (ANY, Intent.LANGUAGE_SET): Step("set_language", State.MENU),
        (ANY, Intent.DELETE_ASK): Step("ask_delete"),
        (ANY, Intent.DELETE_CONFIRM): Step("delete_data", State.MENU),
        (ANY, Intent.DELETE_CANCEL): Step("keep_data"),
        (ANY, Intent.RETRY): Step("retry_job"),
        (ANY, Intent.TEXT): Step("not_understood"),
        (ANY, Intent.AUDIO): Step("unsupported_media"),
        (ANY, Intent.EMPTY): Step("empty_message"),
        (ANY, Intent.UNKNOWN_BUTTON): Step("not_understood"),
        (ANY, Intent.IGNORE): Step("ignore"),
        # Handled by the engine itself (plumbing/dialog.py, plumbing/reach.py).
        (ANY, Intent.AWAY): Step("ignore"),
        (ANY, Intent.BACK): Step("ignore"),
        (State.MENU, Intent.TEXT): Step("show_menu"),
    },
)


def menu_button(lang: str) -> Button:
    """The "Menu" button features put under their answers."""
    return Button(label=t(lang, "button.menu"), data="menu")


@dataclass(frozen=True)
class CoreDialog:
    modes: Sequence[MenuEntry]  # the features' menu entries, in registry order

    def actions(self) -> dict[str, Handler]:
        return {
            "welcome": self.welcome, "show_menu": self.show_menu, "show_help": self.show_help,
            "ask_language": self.ask_language, "set_language": self.set_language,
            "ask_delete": self.ask_delete, "delete_data": self.delete_data,
            "keep_data": self.keep_data, "retry_job": self.retry_job,
            "not_understood": self.not_understood, "unsupported_media": self.unsupported_media,
            "empty_message": self.empty_message, "ignore": self.ignore,
        }

    def _menu(self, lang: str, text: str | None = None) -> Text:
        return Text(
            text=text or t(lang, "menu.title"),
            buttons=[*(Button(label=t(lang, mode.label), data=mode.data) for mode in self.modes),
                     Button(label=t(lang, "menu.help"), data="help"),
                     Button(label=t(lang, "menu.language"), data="language")],
        )

    def welcome(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang)], data={})

    def show_menu(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang)])

    def show_help(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "help.text",
                                              emergency=turn.emergency))])

    def ask_language(self, turn: Turn) -> Reply:
        buttons = [Button(label=t(code, f"lang.{code}"), data=f"lang:{code}")
                   for code in UI_LANGUAGES]
        return Reply([Text(text=t(turn.lang, "language.ask"), buttons=buttons)])

    def set_language(self, turn: Turn) -> Reply:
        if turn.argument not in UI_LANGUAGES:
            return self.ask_language(turn)
        lang = turn.argument
        return Reply([self._menu(lang, t(lang, "language.set") + "\n\n" + t(lang, "menu.title"))],
                     user={"language": lang, "language_chosen": True})

    def ask_delete(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "delete.confirm"), buttons=[
            Button(label=t(turn.lang, "delete.yes"), data="del:yes"),
            Button(label=t(turn.lang, "delete.no"), data="keep"),
        ])])

    def delete_data(self, turn: Turn) -> Reply:
        if turn.argument != "yes":  # only the button we send confirms: "del:no" never erases
            return self.not_understood(turn)
        return Reply([Text(text=t(turn.lang, "delete.done"))], erase=True)

    def keep_data(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "delete.cancelled"))])

    def retry_job(self, turn: Turn) -> Reply:
        last = turn.session.get("last_job")
        if not isinstance(last, dict) or last.get("job") not in {j.value for j in Job}:
            return self.show_menu(turn)
        return Reply(jobs=[(Job(last["job"]), dict(last.get("args") or {}))], loading=True)

    def not_understood(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "unknown"))])

    def unsupported_media(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "unsupported"), buttons=[menu_button(turn.lang)])])

    def empty_message(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "empty"))])

    def ignore(self, turn: Turn) -> Reply:
        return Reply()
