"""What a message in medication mode means. Read, in this order, by the deterministic
parser (shared/medication/parser.py), by the reader of commands that name no
medication ("done", "delete the medicine": shared/medication/bare.py), and, only when
both give up and a real model is configured, by ONE structured model call made before
the dialog transaction (`interpret`, the dialog's preparer). The model's answer is
checked against the user's own schedule (shared/medication/model_command.py) before
anything changes; anything ambiguous gets a question with buttons, never a guess.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from pydantic import ValidationError

from shared.domain.channels import user_key
from shared.domain.events import InboundEvent
from shared.domain.prompts import medication_prompt, medication_system
from shared.domain.schedule import resolve_zone
from shared.features.medication.common import Context, ask_zone, names, say
from shared.features.medication.model import Medication
from shared.features.medication.removing import which_to_delete
from shared.features.medication.repository import MedicationRepository
from shared.features.medication.taking import which_dose
from shared.features.medication.views import answers_itself
from shared.medication.bare import bare_command
from shared.medication.model_command import Known, ModelCommand, check, schedule_data
from shared.medication.models import ParsedCommand as Command
from shared.medication.parser import parse_command
from shared.plumbing.turns import Reply
from shared.ports import Doc, LanguageModel, LlmError

log = logging.getLogger(__name__)


def deterministic(text: str, known: list[str]) -> Command | None:
    command = parse_command(text, known) or bare_command(text)
    if command is None:
        zone = resolve_zone(text)  # a bare "Europe/Berlin" or "+03:00"
        if zone is not None:
            command = Command(kind="timezone_change", timezone=zone[0])
    return command


def _aliases(meds: Sequence[Medication]) -> dict[str, Medication]:
    """Short ids the model sees instead of document ids ("m1", "m2", ...)."""
    return {f"m{i}": m for i, m in enumerate(meds, start=1)}


def interpret(repo: MedicationRepository, model: Callable[[], LanguageModel] | None,
              event: InboundEvent, text: str) -> Doc | None:
    """The dialog's preparer, run before its transaction: ONE model call for a
    message the deterministic readers do not understand (None when they do, or
    when the model is the offline engine). Only the answer and the ids it may use
    are returned; `from_model` checks them inside the transaction."""
    if not any(c.isalnum() for c in text):
        return None  # emoji or punctuation only: nothing for a model to read
    llm = model() if model is not None else None
    if llm is None or llm.offline:
        return None
    meds = repo.medications(user_key(event.channel, event.user_id))
    if deterministic(text, [m.name for m in meds]) is not None or answers_itself(text):
        return None
    aliases = _aliases(meds)
    rows = [(alias, m.name, m.dosage, m.times) for alias, m in aliases.items()]
    try:
        answer = llm.generate_json(medication_system(),
                                   medication_prompt(text, schedule_data(rows)),
                                   ModelCommand, thinking="minimal")
    except LlmError:
        log.warning("medication model failed", extra={"action": "medication_model"})
        return {"failed": True}
    return {"answer": answer.model_dump(mode="json"),
            "aliases": {alias: m.id for alias, m in aliases.items()}}


def model_says_emergency(prepared: object) -> bool:
    """The model's red-flag judgement in the answer `interpret` prepared."""
    if not isinstance(prepared, dict) or not isinstance(prepared.get("answer"), dict):
        return False
    return prepared["answer"].get("emergency") is True


def from_model(ctx: Context) -> Command | Reply | None:
    prepared = ctx.turn.prepared
    if not isinstance(prepared, dict) or "answer" not in prepared:
        return None
    try:
        answer = ModelCommand.model_validate(prepared["answer"])
    except ValidationError:
        return None
    # Only ids of this user's current medications count (checked again here, inside
    # the transaction, against the schedule just read).
    mine = {m.id: m for m in ctx.regimen.medications}
    known = [Known(alias, mine[mid].name)
             for alias, mid in dict(prepared.get("aliases") or {}).items() if mid in mine]
    checked = check(answer, known)
    log.info("medication model", extra={"action": "medication_model", "kind": answer.kind,
                                        "outcome": checked.problem or "ok"})
    if checked.command is not None:
        return checked.command
    if checked.problem == "unknown_medication":
        if answer.kind == "delete":
            return which_to_delete(ctx)
        if answer.kind == "done":
            return which_dose(ctx, ctx.regimen.pending())
        return Reply([say(ctx.lang, "med.change.which", names=names(ctx.regimen.medications))])
    if checked.problem == "bad_time":
        return Reply([say(ctx.lang, "med.time.invalid")])
    if checked.problem == "bad_name":
        return Reply([say(ctx.lang, "med.name.invalid")])
    if checked.problem == "bad_zone":
        return ask_zone(ctx, key="med.tz.invalid")
    if checked.problem == "bad_schedule":  # a rule we cannot follow: store nothing
        name = answer.items[0].name if answer.items else ""
        return Reply([say(ctx.lang, "med.schedule.unsupported", name=name or "…")])
    return None
