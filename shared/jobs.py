"""Job kinds: each has its own Cloud Tasks queue and its own worker function.

The Terraform agreement test reads QUEUES and WORKERS so infra and code cannot drift.
"""

from __future__ import annotations

from enum import StrEnum


class Job(StrEnum):
    DIALOG = "dialog"
    GENERATE = "generate"
    TRANSLATE = "translate"
    TTS = "tts"
    STT = "stt"
    EMAIL = "email"
    REMIND = "remind"
    TAIGI = "taigi"  # Taiwanese speech via NYCU iVoice (no LLM)


# queue name -> worker entry point (a function in main.py)
WORKERS: dict[Job, str] = {job: f"{job.value}_worker" for job in Job}


def queue_name(job: Job) -> str:
    return f"medbot-{job.value}"
