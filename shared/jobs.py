"""Job kinds: each has its own Cloud Tasks queue (some have lanes: more queues for the
same worker) and its own worker function.

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
    SWEEP = "sweep"  # one shard of due doses, drained when a tick finds too many
    CARE = "care"  # the care circle: missed-dose alerts to caregivers, their messages
    REPORT = "report"  # the doctor's PDF report (WeasyPrint; no LLM) and its e-mail


# queue name -> worker entry point (a function in main.py)
WORKERS: dict[Job, str] = {job: f"{job.value}_worker" for job in Job}


# Lanes: more queues feeding one job's worker, each with its own rate (Terraform).
# A remind task goes to its patient's channel's lanes (a patient always to the same
# one): LINE and Telegram are throttled separately, each at its platform's limit, and
# no queue has to dispatch or take more than Cloud Tasks' 500 tasks/s
# (docs/reminders-at-scale.md).
LANES: dict[Job, dict[str, int]] = {Job.REMIND: {"line": 4, "telegram": 4}}


def queue_name(job: Job, lane: str = "") -> str:
    """The Cloud Tasks queue of a job, or of one of its lanes ("line-2")."""
    return f"medbot-{job.value}-{lane}" if lane else f"medbot-{job.value}"


def lane_queue(job: Job, channel: str, key: int) -> str:
    """What to pass TaskQueue.enqueue for a task of `job` on `channel`: one of the
    channel's lanes picked by key, or the job's own queue when it has none."""
    lanes = LANES.get(job, {}).get(channel, 0)
    return f"{job.value}-{channel}-{key % lanes}" if lanes else job.value


def job_of(queue: str) -> Job:
    """The job of a queue id given to TaskQueue.enqueue ("remind", "remind-line-2")."""
    job = Job(queue.split("-", 1)[0])
    if queue != job.value and queue.split("-", 1)[1] not in lanes_of(job):
        raise ValueError(f"no lane {queue!r}")
    return job


def lanes_of(job: Job) -> list[str]:
    return [f"{channel}-{i}" for channel, n in LANES.get(job, {}).items() for i in range(n)]


def cloud_queue(queue: str) -> str:
    """The Cloud Tasks queue name of a queue id ("remind-line-2" -> medbot-remind-line-2)."""
    job_of(queue)
    return f"medbot-{queue}"


def queue_names(job: Job) -> list[str]:
    """Every Cloud Tasks queue feeding the job's worker: its own, then its lanes."""
    return [queue_name(job)] + [queue_name(job, lane) for lane in lanes_of(job)]
