"""Cloud Functions source root: every entry point MedBot deploys.

Each function is deployed from this one source with its own `entry_point`. Imports
here stay light (no SDK is imported until a request needs it): see bench/imports.py.
"""

from functions.dialog_worker import dialog_worker
from functions.job_workers import (
    care_worker,
    email_worker,
    generate_worker,
    report_worker,
    stt_worker,
    taigi_worker,
    translate_worker,
    tts_worker,
)
from functions.line_webhook import line_webhook
from functions.reminders import remind_worker, reminder_tick, sweep_worker
from functions.telegram_webhook import telegram_webhook

__all__ = [
    "care_worker",
    "dialog_worker",
    "email_worker",
    "generate_worker",
    "line_webhook",
    "remind_worker",
    "reminder_tick",
    "report_worker",
    "stt_worker",
    "sweep_worker",
    "taigi_worker",
    "telegram_webhook",
    "translate_worker",
    "tts_worker",
]
