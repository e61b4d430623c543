"""Per-user limit arithmetic (plumbing/limits.py), pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from shared.jobs import Job
from shared.plumbing.limits import UserLimits, job_kind

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KEY = "line-U" + "0" * 32


def test_every_model_job_counts_as_a_generation_and_email_as_email():
    assert job_kind(Job.EMAIL) == "emails"
    assert job_kind(Job.DIALOG) is None and job_kind(Job.REMIND) is None
    assert job_kind(Job.CARE) is None  # the care circle's messages call no model
    for job in set(Job) - {Job.EMAIL, Job.DIALOG, Job.REMIND, Job.CARE}:
        assert job_kind(job) == "generations"


def test_jobs_are_counted_all_or_none():
    counter = UserLimits(generations_per_day=3, emails_per_day=1).start(None, KEY, NOW)
    assert counter.jobs([Job.GENERATE, Job.TTS]) is None
    assert counter.jobs([Job.TRANSLATE, Job.TTS]) == "generations"  # 4 > 3: none counted
    assert counter.jobs([Job.TRANSLATE]) is None
    assert counter.jobs([Job.EMAIL]) is None
    assert counter.jobs([Job.EMAIL]) == "emails"
    assert counter.document()["counts"] == {"generations": 3, "emails": 1}


def test_daily_counts_reset_on_a_new_utc_day():
    limits = UserLimits(generations_per_day=1)
    doc = limits.start(None, KEY, NOW)
    assert doc.jobs([Job.GENERATE]) is None
    tomorrow = limits.start(doc.document(), KEY, NOW + timedelta(days=1))
    assert tomorrow.jobs([Job.GENERATE]) is None
    same_day = limits.start(doc.document(), KEY, NOW + timedelta(hours=1))
    assert same_day.jobs([Job.GENERATE]) == "generations"


@given(gaps=st.lists(st.floats(0, 30), min_size=1, max_size=60), limit=st.integers(1, 10))
def test_never_more_than_the_limit_served_in_any_minute(gaps, limit):
    limits = UserLimits(messages_per_minute=limit)
    doc = None
    at = NOW
    served: list[datetime] = []
    for gap in gaps:
        at += timedelta(seconds=gap)
        counter = limits.start(doc, KEY, at)
        if counter.message() is None:
            served.append(at)
        doc = counter.document()
    for i, start in enumerate(served):
        in_window = [s for s in served[i:] if s < start + timedelta(minutes=1)]
        assert len(in_window) <= limit
