"""The medication feature's states and intents (its part of the conversation).

The questions the medication mode asks are states of their own, each with its context
in the session's `data`, and all inside medication mode (their parent: its rows apply
in them, so a typed command still works while a question waits):

    medication.zone  which time zone? (data: the command waiting for it, if any)
    medication.time  at what time? (data: the medicine being added: name, dosage, and
                     its schedule fields when not daily; the rest of the command)
    medication.day   which weekday? (a weekly medicine; data: as medication.time)
    medication.first when is the first dose? (every N hours; data: as medication.time)
    medication.times which times? (n doses a day; data: as medication.time)
    medication.move  which of its times moves? (data: the medicine's id, the new time)
    medication.took  which dose was taken? (data: the doses the question showed)
    medication.exists  that medicine is already on the list: add these times, replace
                     its schedule, or is it another one? (data: the item, the rest of
                     the command)

A question is answered by its buttons; answering it returns to medication mode and
forgets its context, and leaving medication mode forgets it too.
"""

from __future__ import annotations

from enum import StrEnum


class MedicationState(StrEnum):
    MEDICATION = "medication"
    ZONE = "medication.zone"
    TIME = "medication.time"
    MOVE = "medication.move"
    TOOK = "medication.took"
    EXISTS = "medication.exists"
    DAY = "medication.day"
    FIRST = "medication.first"
    TIMES = "medication.times"


class MedicationIntent(StrEnum):
    MODE = "mode.medication"
    BUTTON = "medication.button"  # med:<action>:<argument>
    COMMAND = "medication.command"  # a command the intent reader found, in any mode
    TOOK = "medication.took"  # "I took my pills" with no reminder waiting: which dose?
    ASKED = "medication.asked"  # "askmed": the message set aside was for my schedule
