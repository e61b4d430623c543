"""What a worker decided to do for one task: stored before it is done, so a retry
replays exactly the same effects (see plumbing/runner.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.domain.channels import Channel
from shared.domain.messages import Edit, OutMessage
from shared.jobs import Job


class JobRequest(BaseModel):
    job: Job
    payload: dict[str, Any]
    name: str  # task name: deduplicates re-enqueues of the same request
    schedule_at: datetime | None = None  # when it should run (None: now)


class Decision(BaseModel):
    channel: Channel
    chat_id: str
    user_key: str
    messages: list[OutMessage] = Field(default_factory=list)
    edits: list[Edit] = Field(default_factory=list)  # sent messages shown anew first
    reply_token: str | None = None
    event_ms: int = 0  # when the user acted: the reply token is fresh for ~1 min
    send_key: str = ""  # idempotency key of the send (LINE X-Line-Retry-Key)
    loading: bool = False  # show the typing / loading indicator
    acknowledge: str | None = None  # Telegram callback query to answer
    jobs: list[JobRequest] = Field(default_factory=list)
    erase_user: bool = False
    leave: bool = False  # leave the (group) chat once the messages are out
    # Nothing at all: the task's user was erased after it was queued (plumbing/work.py).
    void: bool = False
    # The UI language whose native menu this chat should show (LINE rich menu, Telegram
    # commands): set when a user arrives or changes language.
    menu_language: str | None = None
