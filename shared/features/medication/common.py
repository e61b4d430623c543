"""What every medication command works with: the Context of one command (the turn, the
user's time zone and their Regimen as loaded), the texts, the pickers' page buttons,
and the time-zone question every scheduling command may need first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from shared.domain.i18n import t
from shared.domain.messages import Button, Text, coalesce
from shared.domain.schedule import DEFAULT_ZONES
from shared.features.medication.model import Regimen
from shared.features.medication.policy import QuietHours
from shared.features.medication.repository import Loaded, MedicationRepository
from shared.features.medication.states import MedicationState
from shared.medication.models import ParsedCommand as Command
from shared.plumbing.turns import Reply, Turn

MAX_MEDICATIONS: Final = 30  # per user; also keeps one command under Firestore's 500 writes
MAX_TIMES: Final = 12  # per medication


@dataclass
class Context:
    """What one command looks at: the user's settings and schedule."""

    turn: Turn
    key: str
    zone: str | None
    loaded: Loaded
    repo: MedicationRepository
    early: timedelta = timedelta(hours=3)  # "I took it" this long before a dose counts
    quiet: QuietHours | None = None  # the patient's quiet hours (None: the default)

    @property
    def regimen(self) -> Regimen:
        return self.loaded.regimen

    @property
    def lang(self) -> str:
        return self.turn.lang

    @property
    def now(self) -> datetime:
        return self.turn.now

    def asked(self, state: MedicationState) -> dict[str, Any]:
        """The context of question `state` if it is the one waiting, else {}."""
        return self.turn.data if self.turn.state == state else {}

    def stay(self) -> str:
        """Where a turn that answers no question leaves the conversation: in the
        question still waiting (its page buttons, a typed command meanwhile), or in
        medication mode."""
        state = self.turn.state
        return state if state in set(MedicationState) else MedicationState.MEDICATION


def say(lang: str, key: str, buttons: Sequence[Button] = (), *, count: int | None = None,
        **values: object) -> Text:
    return Text(text=t(lang, key, count=count, **values), buttons=list(buttons))


def dosage_suffix(value: str | None) -> str:
    return f" {value}" if value else ""


def names(meds: Sequence[Any]) -> str:
    return ", ".join(m.name for m in meds)


def page_number(text: str) -> int:
    return int(text) if text.isdigit() and len(text) <= 3 else 0


def page_button(lang: str, verb: str) -> Callable[[int, int], Button]:
    """The button to page `number` of a picker: "More ▸ 2/3", or back to the first."""
    def make(number: int, pages: int) -> Button:
        key = "button.more" if number else "button.first_page"
        return Button(label=t(lang, key, page=number + 1, pages=pages),
                      data=f"med:{verb}:{number}")
    return make


def merge(first: Reply, second: Reply) -> Reply:
    """Two replies as one (a time-zone answer followed by the command it unblocked, or
    the confirmations of several medicines): their texts go out as one message, and
    the later one says where the conversation goes."""
    return Reply(messages=coalesce([*first.messages, *second.messages]),
                 session={**first.session, **second.session},
                 user={**first.user, **second.user},
                 next_state=second.next_state or first.next_state,
                 data=second.data if second.data is not None else first.data,
                 usage={k: first.usage.get(k, 0) + second.usage.get(k, 0)
                        for k in {*first.usage, *second.usage}})


def ask_zone(ctx: Context, pending: Command | None = None, key: str = "med.tz.ask") -> Reply:
    """Which time zone? With the command that waits for it, the question becomes the
    conversation's state (medication.zone); without one, it stays where it is."""
    default = DEFAULT_ZONES.get(ctx.lang, "UTC")
    zones = dict.fromkeys((default, *DEFAULT_ZONES.values()))
    buttons = [Button(label=z, data=f"med:tz:{z}") for z in zones]
    reply = Reply([say(ctx.lang, key, buttons, zone=default)])
    if pending is not None:
        reply.next_state = MedicationState.ZONE
        reply.data = {"command": pending.model_dump(mode="json")}
    return reply
