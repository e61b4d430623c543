"""The care circle's domain (pure: no I/O, no clock).

A patient invites a caregiver with a one-time code; the caregiver's claim makes a Link
(patient -> caregiver) that carries what the patient shares with that caregiver. A
patient has at most MAX_CAREGIVERS links; a caregiver may follow several patients.

What a link can share is a closed list (Share): missed-dose alerts, the weekly
summary and refill reminders, all on by default. Leaflets, translations and voice are
never shareable: there is no Share for them, so no code path can send them to a
caregiver.

When a dose is still unanswered `alert_after` after its slot, each caregiver whose link
shares alerts gets one alert (alert_id: per dose slot and caregiver, so duplicated or
late ticks find the same id). The patient's answer is read from the dose itself:
`unanswered` is the one rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Final

from shared.domain.signatures import stable_id
from shared.features.medication.policy import DEFAULT_QUIET, QuietHours

MAX_CAREGIVERS: Final = 5
INVITE_TTL: Final = timedelta(hours=24)
MAX_NAME_CHARS: Final = 40
ALERT_TTL: Final = timedelta(days=7)


class Share(StrEnum):
    ALERTS = "alerts"  # missed-dose alerts
    SUMMARY = "summary"  # the weekly adherence summary
    REFILLS = "refills"  # "running low" / "has run out" of a medicine (features/supply)


DEFAULT_SHARES: Final = frozenset({Share.ALERTS, Share.SUMMARY, Share.REFILLS})


class JoinRefusal(StrEnum):
    """Why a code did not link (each has its own answer)."""

    UNKNOWN = "unknown"  # no such code (or a typo)
    EXPIRED = "expired"
    USED = "used"
    SELF = "self"  # the patient's own code
    FULL = "full"  # the patient has MAX_CAREGIVERS already
    ALREADY = "already"  # this caregiver follows this patient already
    TOO_MANY_TRIES = "tries"


def link_id(patient: str, caregiver: str) -> str:
    return stable_id("care-link", patient, caregiver)


def alert_group(dose_id: str, slot: str) -> str:
    """The alerts of one dose slot (all caregivers): "I called them" handles them all."""
    return stable_id("care-alert", dose_id, slot)


def alert_id(dose_id: str, slot: str, caregiver: str) -> str:
    return stable_id("care-alert", dose_id, slot, caregiver)


@dataclass(frozen=True)
class Link:
    id: str
    patient: str  # user key
    caregiver: str  # user key
    patient_name: str  # the name the patient gave when inviting ("" = none given)
    caregiver_label: str  # the caregiver's display name, if the platform gave one
    shares: frozenset[Share] = field(default=DEFAULT_SHARES)
    created_at: datetime | None = None

    def has(self, what: Share) -> bool:
        return what in self.shares

    def toggled(self, what: Share) -> Link:
        shares = self.shares - {what} if what in self.shares else self.shares | {what}
        return Link(self.id, self.patient, self.caregiver, self.patient_name,
                    self.caregiver_label, frozenset(shares), self.created_at)


@dataclass(frozen=True)
class Invite:
    patient: str
    name: str
    expires_at: datetime
    used: bool = False
    claimed_by: str = ""


def clean_name(text: str) -> str | None:
    """The name a patient gives: one line, 1-40 characters, not a bare number."""
    name = " ".join(text.split())[:MAX_NAME_CHARS].strip()
    if not name or name.isdigit():
        return None
    return name


def refusal(invite: Invite | None, caregiver: str, now: datetime, current: int,
            already: bool) -> JoinRefusal | None:
    """Why `caregiver` may not claim `invite` now (None: they may). `current` is the
    patient's caregivers now, `already` whether this caregiver is one of them."""
    if invite is None:
        return JoinRefusal.UNKNOWN
    if invite.patient == caregiver:
        return JoinRefusal.SELF
    if invite.used:
        return JoinRefusal.USED
    if invite.expires_at <= now:
        return JoinRefusal.EXPIRED
    if already:
        return JoinRefusal.ALREADY
    if current >= MAX_CAREGIVERS:
        return JoinRefusal.FULL
    return None


class SlotAnswer(StrEnum):
    OPEN = "open"  # still unanswered (pending, or recorded missed)
    ANSWERED = "answered"  # taken or skipped
    GONE = "gone"  # the dose no longer exists, or nothing is known of that slot


def unanswered(pending_slot: str | None, logged: str | None, slot: str) -> SlotAnswer:
    """Whether a dose slot is still unanswered: `pending_slot` is the dose's pending
    slot (None: nothing pending), `logged` how the slot ended in the dose log (taken,
    skipped, missed; None: not logged)."""
    if logged in ("taken", "skipped"):
        return SlotAnswer.ANSWERED
    if logged == "missed" or pending_slot == slot:
        return SlotAnswer.OPEN
    return SlotAnswer.GONE


def alert_at(slot: datetime, after: timedelta) -> datetime:
    return slot + after


def quiet_until(now: datetime, quiet: QuietHours | None, zone: tzinfo) -> datetime | None:
    """When the caregiver's quiet hours end, if `now` falls in them (None: it does
    not). An alert that would land in them waits until they end, and goes only if the
    dose is still unanswered then: a caregiver woken at 03:00 can rarely do more than
    at 07:00, and a patient who takes the dose meanwhile causes no alarm at all."""
    rules = quiet if quiet is not None else DEFAULT_QUIET
    if not rules.contains(now, zone):
        return None
    at = now.replace(second=0, microsecond=0)
    for _ in range(24 * 60):  # minute steps: quiet hours are HH:MM
        at += timedelta(minutes=1)
        if not rules.contains(at, zone):
            return at
    return None
