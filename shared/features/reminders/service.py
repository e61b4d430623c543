"""Medication reminders: the per-minute tick and its shard sweeps (tick.py), the send
worker (send.py) and
the buttons under a reminder (dialog.py), over the medication feature's doses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from shared.features.medication.policy import RepeatPolicy
from shared.features.reminders.dialog import ReminderButtons
from shared.features.reminders.send import ReminderSend
from shared.features.reminders.tick import HANDOFF_PER_S, ReminderTick
from shared.plumbing.delivery import Delivery
from shared.plumbing.runner import Outcome
from shared.plumbing.turns import Handler
from shared.plumbing.work import UnitOfWork
from shared.ports import Clock, DocumentStore, TaskQueue


@dataclass
class ReminderService:
    store: DocumentStore
    tasks: TaskQueue
    clock: Clock
    delivery: Delivery
    repeat_every_s: int = 3600
    page: int = 500
    parallel: int = 16  # concurrent claim transactions in one tick
    snooze_s: int = 900
    work: UnitOfWork | None = None  # the container's; by default one of its own
    handoff_per_s: float | None = HANDOFF_PER_S  # sweeps' pace (tick.py); None: unpaced
    repeats: int = 3  # repeats of an unanswered slot (settings.remind_repeats)
    care_after_s: int = 3600  # settings.care_alert_after_s (features/circle)
    ticker: ReminderTick = field(init=False)
    sender: ReminderSend = field(init=False)

    def __post_init__(self) -> None:
        policy = RepeatPolicy(self.repeats, timedelta(seconds=self.repeat_every_s))
        self.ticker = ReminderTick(self.store, self.tasks, self.clock, self.repeat_every_s,
                                  self.page, self.parallel, handoff_per_s=self.handoff_per_s,
                                  work=self.work, policy=policy)
        self.sender = ReminderSend(self.store, self.clock, self.delivery,
                                  self.work or UnitOfWork(self.store, self.clock),
                                  self.tasks, self.care_after_s)

    def tick(self) -> dict[str, int]:
        return self.ticker.tick()

    def sweep(self, task: dict[str, Any]) -> Outcome:
        return self.ticker.sweep(task)

    def send(self, task: dict[str, Any]) -> Outcome:
        return self.sender.send(task)

    def actions(self) -> dict[str, Handler]:
        return ReminderButtons(self.store, self.snooze_s).actions()
