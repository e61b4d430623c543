"""How a feature asks for Taigi speech (the taigi job, taigi.py) and says it is coming:
the chat translation (service.py) and a leaflet translated into Taigi (education)."""

from __future__ import annotations

from typing import Final

from shared.domain.channels import Channel
from shared.domain.decision import JobRequest
from shared.domain.i18n import t
from shared.domain.messages import Button, OutMessage, Text
from shared.jobs import Job
from shared.plumbing.jobkit import Task, buttons_last, language
from shared.plumbing.work import TaskRef

# iVoice reads at most 500 characters (shared/adapters/taigi_ivoice.py); a Han
# character weighs 2 in speech_text's budget. A longer text is cut at a sentence end.
TAIGI_SPOKEN_WEIGHT: Final = 1000


def with_taigi_note(lang: str, channel: Channel, messages: list[OutMessage]) -> list[OutMessage]:
    """`messages` and the note that Taigi speech is coming, the buttons last where the
    platform needs them. Telegram: the note is a bubble of its own after the buttons,
    which the taigi job deletes once the speech is out (taigi_request's placeholder);
    LINE, which can neither edit nor delete a message: a note that stays true once the
    audio is there, carrying the quick replies (LINE shows them under the last message
    only)."""
    if channel is Channel.TELEGRAM:
        return [*buttons_last(messages), Text(text=t(lang, "taigi.coming"))]
    return buttons_last([*messages, Text(text=t(lang, "taigi.follows"))])


def taigi_request(parent: TaskRef, task: Task, text: str, *, title: str,
                  buttons: list[Button], document: str, placeholder: str,
                  note: str = "") -> JobRequest:
    """The taigi job for `text` (Chinese: Han characters), asked by the task `parent`
    that answers `task`: its audio is titled `title` with `buttons` under it, the TLPA
    is kept on `document` ("<collection>/<id>", the user's own), and `placeholder` is
    the send key of the answer whose last bubble is the "coming" note. `note` goes
    with the TLPA (e.g. that only the first part of a long text is spoken)."""
    return parent.follow_up(Job.TAIGI).request({
        "user": task["user"], "channel": task["channel"], "chat_id": task["chat_id"],
        "language": language(task), "text": text, "title": title,
        "buttons": [b.model_dump() for b in buttons], "document": document,
        "placeholder": placeholder, "note": note,
        # Its parent's: an erasure since then voids the follow-up too.
        "queued_at": task.get("queued_at"),
    })
