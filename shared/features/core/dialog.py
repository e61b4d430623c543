"""The conversation every mode shares: welcome, the main menu, help, the UI language,
"delete my data", retrying a failed job, and the answers to what no mode understands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Final

from shared.domain.buttons import ButtonKind, one_of
from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, State, Step
from shared.domain.i18n import UI_LANGUAGES, t
from shared.domain.messages import Button, Text
from shared.domain.reading import Mode
from shared.jobs import Job
from shared.plumbing.features import MenuEntry
from shared.plumbing.turns import Handler, Reply, Turn

DIALOG: Final = DialogPart(
    states={State.MENU: None},
    kinds={ButtonKind("menu"): Intent.MENU, ButtonKind("help"): Intent.HELP,
           ButtonKind("lang", (one_of(UI_LANGUAGES),)): Intent.LANGUAGE_SET,
           ButtonKind("language"): Intent.LANGUAGE_ASK,
           ButtonKind("del", (one_of(["yes"]),)): Intent.DELETE_CONFIRM,  # only del:yes
           ButtonKind("keep"): Intent.DELETE_CANCEL, ButtonKind("retry"): Intent.RETRY},
    # What the intent reader's global layer finds, typed in any state.
    readings={
        "global:start": Intent.START, "global:menu": Intent.MENU, "global:help": Intent.HELP,
        "global:language": Intent.LANGUAGE_ASK, "global:language.set": Intent.LANGUAGE_SET,
        "global:delete": Intent.DELETE_ASK, "global:cancel": Intent.CANCEL,
        "global:unknown_command": Intent.UNKNOWN_COMMAND, "greeting": Intent.GREETING,
    },
    screens={State.MENU: ScreenOf(Mode.MENU)},
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
        (ANY, Intent.CANCEL): Step("cancel"),  # the handler says where it leads
        (ANY, Intent.GREETING): Step("greet"),
        (ANY, Intent.UNKNOWN_COMMAND): Step("show_help"),
        (ANY, Intent.TEXT): Step("not_understood"),
        (ANY, Intent.AUDIO): Step("voice_elsewhere"),
        (ANY, Intent.EMPTY): Step("empty_message"),
        (ANY, Intent.MEDIA_IMAGE): Step("image_received"),
        (ANY, Intent.MEDIA_STICKER): Step("sticker_received"),
        (ANY, Intent.MEDIA_OTHER): Step("file_received"),
        (ANY, Intent.UNKNOWN_BUTTON): Step("stale_button"),
        (ANY, Intent.IGNORE): Step("ignore"),
        # Handled by the engine itself (plumbing/dialog.py, plumbing/reach.py).
        (ANY, Intent.AWAY): Step("ignore"),
        (ANY, Intent.BACK): Step("ignore"),
    },
)


def menu_button(lang: str) -> Button:
    """The "Menu" button features put under their answers."""
    return Button(label=t(lang, "button.menu"), data="menu")


@dataclass(frozen=True)
class CoreDialog:
    modes: Sequence[MenuEntry]  # the features' menu entries, in registry order
    # state -> its parent (the registry's joined table): "cancel" in a question goes
    # back to the mode that asked it.
    parents: Mapping[str, str | None] = dataclass_field(default_factory=dict)

    def actions(self) -> dict[str, Handler]:
        return {
            "welcome": self.welcome, "show_menu": self.show_menu, "show_help": self.show_help,
            "ask_language": self.ask_language, "set_language": self.set_language,
            "ask_delete": self.ask_delete, "delete_data": self.delete_data,
            "keep_data": self.keep_data, "retry_job": self.retry_job,
            "not_understood": self.not_understood, "voice_elsewhere": self.voice_elsewhere,
            "empty_message": self.empty_message, "ignore": self.ignore,
            "cancel": self.cancel, "greet": self.greet, "stale_button": self.stale_button,
            "image_received": self.image_received, "sticker_received": self.sticker_received,
            "file_received": self.file_received,
        }

    def _menu(self, lang: str, text: str | None = None) -> Text:
        return Text(
            text=text or t(lang, "menu.title"),
            buttons=[*(Button(label=t(lang, mode.label), data=mode.data) for mode in self.modes),
                     Button(label=t(lang, "menu.help"), data="help"),
                     Button(label=t(lang, "menu.language"), data="language")],
        )

    def welcome(self, turn: Turn) -> Reply:
        """The bot added or /start (a deep-link payload no feature claims is ignored).
        A user whose platform language MedBot does not speak is asked first."""
        if turn.user.get("language_unsure") and not turn.user.get("language_chosen"):
            return self._which_language()
        return Reply([self._menu(turn.lang)], data={})

    def _which_language(self) -> Reply:
        text = "\n".join(t(code, "language.which") for code in UI_LANGUAGES)
        buttons = [Button(label=t(code, f"lang.{code}"), data=f"lang:{code}")
                   for code in UI_LANGUAGES]
        return Reply([Text(text=text, buttons=buttons)], data={})

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

    def voice_elsewhere(self, turn: Turn) -> Reply:
        """A voice message outside a translation conversation."""
        return Reply([Text(text=t(turn.lang, "voice.elsewhere"), buttons=[
            Button(label=t(turn.lang, "menu.translation"), data="mode:tr"),
            menu_button(turn.lang)])])

    def cancel(self, turn: Turn) -> Reply:
        """"cancel" / "取消" / "отмена": a question is dropped and its mode goes on; with
        no question open, back to the menu."""
        parent = self.parents.get(turn.state)
        if parent is not None:
            return Reply([Text(text=t(turn.lang, "cancel.done"),
                               buttons=[menu_button(turn.lang)])], next_state=parent, data={})
        return Reply([self._menu(turn.lang, t(turn.lang, "cancel.done"))],
                     next_state=State.MENU, data={})

    def greet(self, turn: Turn) -> Reply:
        if "updated_at" not in turn.session:  # the first word of a conversation: welcome
            return self.welcome(turn)
        return Reply([self._menu(turn.lang, t(turn.lang, "greeting.reply"))])

    def stale_button(self, turn: Turn) -> Reply:
        """Button data no kind reads exactly: an old button, or not ours."""
        return Reply([self._menu(turn.lang, t(turn.lang, "button.invalid"))])

    def image_received(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "media.image"), buttons=[menu_button(turn.lang)])])

    def sticker_received(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "media.sticker"))])

    def file_received(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "media.other"))])

    def empty_message(self, turn: Turn) -> Reply:
        return Reply([self._menu(turn.lang, t(turn.lang, "empty"))])

    def ignore(self, turn: Turn) -> Reply:
        return Reply()
