"""Each entry point runs on its own wiring (shared/bootstrap.py), which refuses what its
cloud permissions would refuse; what that changes for the patient is tested here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.bootstrap import Container
from shared.domain.i18n import t
from shared.fakes.offline_llm import OfflineModel
from shared.fakes.scripted_llm import ScriptedModel
from shared.jobs import Job
from shared.wiring import LinklessBucket, NoModel, NotWired
from tests.functions.test_education import LEAFLET_EN, User
from tests.support import fake_container, post_telegram, pump, serving, telegram_update


@pytest.fixture
def c() -> Iterator[Container]:
    container = fake_container()
    with serving(container):
        yield container


def email_worker(c: Container) -> Any:
    """The EmailService the e-mail worker runs (built by the email feature)."""
    return c.job_handler(Job.EMAIL).__self__  # type: ignore[attr-defined]


def email_leaflet(c: Container, model: object) -> str:
    c.__dict__["llm"] = model
    user = User(c, "telegram")
    if isinstance(model, ScriptedModel):
        model.add_text(LEAFLET_EN)
    user.leaflet()
    user.tap("lfmail")
    post_telegram(telegram_update("patient@example.org"))
    pump(c)
    [mail] = c.mailer.outbox  # type: ignore[attr-defined]
    return str(mail.text)


def test_an_emailed_leaflet_is_labelled_offline_only_when_the_offline_engine_wrote_it(c):
    # The e-mail worker is not wired to the model (it has no Gemini key in the cloud):
    # the label follows the model recorded with the leaflet, not the worker's own.
    assert isinstance(email_worker(c).kit.llm.inner, NoModel)
    assert email_leaflet(c, OfflineModel()).startswith(t("en", "offline.label").strip())


def test_a_gemini_leaflet_is_emailed_without_the_offline_label(c):
    assert t("en", "offline.label").strip() not in email_leaflet(c, ScriptedModel())


def test_a_job_worker_cannot_reach_beyond_its_wiring(c):
    kit = email_worker(c).kit
    with pytest.raises(NotWired):
        kit.tasks.enqueue(Job.GENERATE.value, {"id": "x"})
    assert isinstance(kit.blobs, LinklessBucket)
    with pytest.raises(NotWired):
        kit.blobs.signed_url("archive/x.json", 60)
