"""What the care circle says (catalog keys: shared/locales/*/circle.po).

Privacy: a caregiver's texts are built here from a Link and one dose (the patient's
invite name, that medicine's name, the slot's local time) or one supply (the name, the
days it still lasts, or that it ran out) or, for the weekly summary the patient shares,
the adherence tally of the patient's medicines. Nothing else of the patient (dosages,
counts, other medicines in an alert, leaflets, translations, voice, the patient's chat
or platform id) is ever passed in; tests/functions/test_circle.py and
test_circle_refills.py read every caregiver text for leaks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from shared.domain.i18n import t
from shared.domain.messages import Button, Edit, Text
from shared.domain.schedule import zone_of
from shared.features.circle.model import Link, Share
from shared.features.medication.adherence import Logged, tally
from shared.features.medication.repository import MedicationRepository
from shared.plumbing.turns import Turn
from shared.ports import DocumentStore


def say(lang: str, key: str, **values: Any) -> Text:
    return Text(text=t(lang, key, **values), buttons=[
        Button(label=t(lang, "circle.button.list"), data="cglist"),
        Button(label=t(lang, "button.menu"), data="menu")])


def patient(lang: str, name: str) -> str:
    """How a caregiver's texts name a patient: the invite name, else a neutral label."""
    return name or t(lang, "circle.someone")


def caregiver(lang: str, label: str) -> str:
    return label or t(lang, "circle.a_caregiver")


def invite(lang: str, code: str, links: dict[str, str], name: str) -> Text:
    lines = [t(lang, "circle.invite.code", code=code)]
    if "telegram" in links:
        lines.append(t(lang, "circle.invite.telegram", link=links["telegram"]))
    if "line" in links:
        lines.append(t(lang, "circle.invite.line", link=links["line"]))
    lines.append(t(lang, "circle.invite.named", name=name) if name
                 else t(lang, "circle.invite.unnamed"))
    lines.append(t(lang, "circle.invite.rules"))
    return Text(text="\n\n".join(lines), buttons=[
        Button(label=t(lang, "circle.button.list"), data="cglist"),
        Button(label=t(lang, "button.menu"), data="menu")])


def circle(lang: str, mine: list[Link], followed: list[Link]) -> Text:
    """The patient's caregivers (each a button to its card) and whom this user follows
    (each with its summary and Leave)."""
    lines: list[str] = []
    buttons: list[Button] = []
    if mine:
        lines.append(t(lang, "circle.list.caregivers"))
        for n, link in enumerate(mine, 1):
            label = caregiver(lang, link.caregiver_label)
            lines.append(f"{n}. {label} — {shares(lang, link)}")
            buttons.append(Button(label=f"{n}. {label}"[:20], data=f"cgone:{link.id}"))
    if followed:
        lines.append(t(lang, "circle.list.following"))
        for n, link in enumerate(followed, 1):
            name = patient(lang, link.patient_name)
            lines.append(f"{n}. {name}")
            if link.has(Share.SUMMARY):
                buttons.append(Button(label=t(lang, "circle.button.summary", n=n)[:20],
                                      data=f"cgsum:{link.id}"))
            buttons.append(Button(label=t(lang, "circle.button.leave", n=n)[:20],
                                  data=f"cgrm:{link.id}"))
    if not lines:
        lines.append(t(lang, "circle.list.empty"))
    buttons.append(Button(label=t(lang, "circle.button.invite"), data="cginv"))
    return Text(text="\n".join(lines), buttons=buttons[:13])


def shares(lang: str, link: Link) -> str:
    shared = [t(lang, f"circle.share.{s.value}") for s in Share if link.has(s)]
    return ", ".join(shared) if shared else t(lang, "circle.share.nothing")


def card(lang: str, link: Link, said: str = "circle.card") -> Text:
    """One caregiver, as the patient sees it: what is shared, and the switches."""
    buttons = [Button(label=t(lang, f"circle.button.{s.value}.{'off' if link.has(s) else 'on'}"),
                      data=f"cgsh:{link.id}:{s.value}") for s in Share]
    buttons += [Button(label=t(lang, "circle.button.remove"), data=f"cgrm:{link.id}"),
                Button(label=t(lang, "circle.button.list"), data="cglist")]
    return Text(text=t(lang, said, name=caregiver(lang, link.caregiver_label),
                       shared=shares(lang, link)), buttons=buttons)


def alert(lang: str, name: str, medicine: str, slot: datetime, zone: str) -> str:
    """The missed-dose alert: the patient's invite name, one medicine, the dose's local
    time in the patient's zone; nothing else."""
    local = slot.astimezone(zone_of(zone)).strftime("%H:%M")
    return t(lang, "circle.alert", name=patient(lang, name), medicine=medicine, time=local)


def refill(lang: str, name: str, medicine: str, *, out: bool, days: int | None) -> Text:
    """A refill reminder: the patient's invite name, one medicine, and the days it still
    lasts (or that it ran out); never the count or the dosage."""
    who = patient(lang, name)
    if out:
        return say(lang, "circle.refill.out", name=who, medicine=medicine)
    if not days:  # less than a day (or, never for a count, unknown)
        return say(lang, "circle.refill.today", name=who, medicine=medicine)
    return say(lang, "circle.refill.low", name=who, medicine=medicine, count=days)


def handled_edits(turn: Turn, doc: dict[str, Any]) -> list[Edit]:
    """The tapped alert loses its button (Telegram edits it; LINE cannot: nothing)."""
    if turn.event.message_id is None or not doc.get("text"):
        return []
    shown = Text(text=str(doc["text"]) + "\n\n" + t(turn.lang, "circle.alert.you_handled"))
    return [Edit(message_id=str(turn.event.message_id), message=shown)]


def summary(lang: str, store: DocumentStore, link: Link, now: datetime) -> Text:
    """The patient's last 7 days per medicine (issue 11's adherence tally), as the
    patient sees it with "med:week": shared only when the link shares the summary."""
    repo = MedicationRepository(store)
    since = now - timedelta(days=7)
    logged = [Logged(e.medication_id, e.slot_at, e.status, e.at)
              for e in repo.logged_since(link.patient, since)]
    totals = tally(logged, since)
    known = {m.id: m.name for m in repo.medications(link.patient)}
    lines = [t(lang, "circle.summary.title", name=patient(lang, link.patient_name))]
    lines += [t(lang, "med.adh.item", bar=totals[mid].bar(), name=known[mid],
                on_time=totals[mid].on_time, late=totals[mid].late,
                skipped=totals[mid].skipped, missed=totals[mid].missed)
              for mid in sorted(totals, key=lambda m: known.get(m, "").casefold())
              if mid in known]
    if len(lines) == 1:
        lines.append(t(lang, "med.week.none"))
    return Text(text="\n".join(lines), buttons=[
        Button(label=t(lang, "circle.button.list"), data="cglist")])
