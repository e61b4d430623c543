"""What a dialog handler sees (a Turn) and what it answers (a Reply).

Handlers are the features' (shared/features/*); the engine that calls them inside the
dialog task's unit of work is shared/plumbing/dialog.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.domain.dialog import State
from shared.domain.emergency import GSM_EMERGENCY
from shared.domain.events import InboundEvent
from shared.domain.messages import Edit, OutMessage
from shared.jobs import Job
from shared.ports import Doc


@dataclass
class Turn:
    """Everything a handler may look at."""

    event: InboundEvent
    user: Doc
    session: Doc
    argument: str
    now: datetime
    prepared: Any = None  # what the handler's preparer computed before the transaction
    emergency: str = GSM_EMERGENCY  # the user's emergency number (domain/emergency.py)

    @property
    def lang(self) -> str:
        return str(self.user.get("language", "en"))

    @property
    def state(self) -> str:
        return str(self.session.get("state", State.MENU))

    @property
    def data(self) -> Doc:
        """The context of the state the conversation is in (e.g. the question asked)."""
        data = self.session.get("data")
        return dict(data) if isinstance(data, dict) else {}


@dataclass
class Reply:
    messages: list[OutMessage] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)  # sent messages shown anew
    jobs: list[tuple[Job, dict[str, Any]]] = field(default_factory=list)
    session: Doc = field(default_factory=dict)  # fields to set on the session
    user: Doc = field(default_factory=dict)  # fields to set on the user
    next_state: str | None = None  # overrides the table's next state
    # The next state's context (session.data); None: kept while the state stays,
    # forgotten when it changes.
    data: Doc | None = None
    loading: bool = False
    erase: bool = False
    # Documents to set (full replace) or delete (None) in the same transaction.
    writes: list[tuple[str, Doc | None]] = field(default_factory=list)
    # Usage counters to add besides the action itself (e.g. {"reminders.taken": 2});
    # names and numbers only (shared/domain/usage.py).
    usage: dict[str, int] = field(default_factory=dict)


Handler = Callable[[Turn], Reply]
# Slow work (a model call) for a text message, run before the transaction so a retried
# transaction does not repeat it; its result is the handler's Turn.prepared.
Preparer = Callable[[InboundEvent, str], Any]


def next_session(turn: Turn, table_state: str | None, reply: Reply) -> Doc:
    """The session after a turn: the reply's fields, the state that follows (the
    reply's, else the table's, else the same) and that state's context."""
    state = reply.next_state or table_state or turn.state
    kept = turn.data if state == turn.state else {}  # a state's context is its own
    data = reply.data if reply.data is not None else kept
    return {**turn.session, **reply.session, "state": str(state), "data": data}
