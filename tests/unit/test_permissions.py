"""Each function's permissions follow from its code path (issue 18, Build 2).

shared/bootstrap.needs_of(entry_point) builds one entry point's handler from its own
wiring and reports what it reached: Firestore, the bucket (with or without signed
links), the model, the queues it may enqueue into, and the secret settings it reads.
The IAM grants of the Terraform plan (rendered offline by tests/tfplan.py, not read
from the locals' hand-written fields) must equal exactly that: a test fails when a
function is granted less than its code uses (it would fail in production) or more
(least privilege). The wrappers in shared/wiring.py refuse at run time what is not
wired, so the function tests, which drive every flow, prove the wiring itself.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

import main
from shared.bootstrap import needs_of
from shared.fakes.memory_blobs import MemoryBlobStore
from shared.fakes.memory_tasks import MemoryTaskQueue
from shared.jobs import WORKERS, Job, queue_names
from shared.settings import SECRETS
from shared.wiring import LinklessBucket, Needs, NoModel, NotWired, ScopedQueue
from tests.deployment import function, plan

FUNCTION_SA = re.compile(r'^serviceAccount:⟨google_service_account\.fn\["(?P<fn>\w+)"\]\.email⟩$')
FUNCTION_SA_NAME = re.compile(r'^⟨google_service_account\.fn\["(?P<fn>\w+)"\]\.name⟩$')
ENTRY_POINTS = sorted(main.__all__)


@cache
def needs(entry_point: str) -> Needs:
    return needs_of(entry_point)


def granted(rtype: str, role: str | None = None) -> dict[str, list[dict[str, object]]]:
    """Function -> the configs of its IAM grants of this type (and role)."""
    out: dict[str, list[dict[str, object]]] = {fn: [] for fn in ENTRY_POINTS}
    for instance in plan().of_type(rtype):
        config = instance.config
        if role is not None and config.get("role") != role:
            continue
        match = FUNCTION_SA.match(str(config.get("member")))
        if match:
            out[match["fn"]].append(dict(config))
    return out


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_secrets_granted_and_mounted_are_those_the_code_reads(entry_point: str) -> None:
    secret_ids = plan().local("secrets")  # setting -> secret id
    by_id = {v: k for k, v in secret_ids.items()}
    grants = granted("google_secret_manager_secret_iam_member",
                     "roles/secretmanager.secretAccessor")[entry_point]
    readable = {by_id[str(g["secret_id"])] for g in grants}
    assert readable == set(needs(entry_point).secrets), entry_point
    assert function(entry_point).secret_env == needs(entry_point).secrets, entry_point


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_enqueue_grants_are_the_queues_the_code_enqueues_into(entry_point: str) -> None:
    grants = granted("google_cloud_tasks_queue_iam_member", "roles/cloudtasks.enqueuer")
    queues = {str(g["name"]) for g in grants[entry_point]}
    assert queues == {name for job in needs(entry_point).enqueues for name in queue_names(job)}, \
        entry_point
    # Attaching the invoker's OIDC token to a task needs actAs on that account.
    acts_as = granted("google_service_account_iam_member",
                      "roles/iam.serviceAccountUser")[entry_point]
    assert bool(acts_as) == bool(needs(entry_point).enqueues), entry_point
    for grant in acts_as:
        assert str(grant["service_account_id"]) == "⟨google_service_account.invoker.name⟩"


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_bucket_access_is_granted_exactly_where_the_code_uses_the_bucket(entry_point: str) -> None:
    grants = granted("google_storage_bucket_iam_member", "roles/storage.objectAdmin")
    on_private = [g for g in grants[entry_point]
                  if g["bucket"] == plan().local("bucket_name")]
    assert bool(on_private) == needs(entry_point).bucket, entry_point


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_url_signing_is_granted_exactly_where_the_code_signs_links(entry_point: str) -> None:
    grants = granted("google_service_account_iam_member",
                     "roles/iam.serviceAccountTokenCreator")[entry_point]
    for grant in grants:  # on its own account only
        match = FUNCTION_SA_NAME.match(str(grant["service_account_id"]))
        assert match and match["fn"] == entry_point, grant
    assert bool(grants) == needs(entry_point).signs_urls, entry_point


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_firestore_and_the_model(entry_point: str) -> None:
    datastore = granted("google_project_iam_member", "roles/datastore.user")[entry_point]
    assert bool(datastore) == needs(entry_point).firestore, entry_point
    # The functions that call Gemini, and only those, may call it on Vertex AI as
    # their own service accounts; production holds no Gemini API key at all (vertex.tf).
    vertex = granted("google_project_iam_member", "roles/aiplatform.user")[entry_point]
    assert bool(vertex) == needs(entry_point).calls_model, entry_point
    assert "GEMINI_API_KEY" not in needs(entry_point).secrets


def test_the_derivation_sees_each_kind_of_need() -> None:
    # Guards the derivation itself: it found each kind somewhere, and not everywhere.
    found = [needs(e) for e in ENTRY_POINTS]
    for attribute in ("bucket", "signs_urls", "calls_model"):
        values = {getattr(n, attribute) for n in found}
        assert values == {True, False}, attribute
    assert all(n.firestore for n in found)
    assert {job for n in found for job in n.enqueues} == set(Job)
    assert {s for n in found for s in n.secrets} == set(plan().local("secrets"))
    assert set(plan().local("secrets")) <= {s.upper() for s in SECRETS}


def test_the_two_permissions_todays_terraform_missed() -> None:
    # Printable handouts are signed links made in generate_worker; voice translations
    # are archived to the bucket by stt_worker.
    assert needs("generate_worker").signs_urls
    assert needs("stt_worker").bucket
    assert not needs("email_worker").calls_model  # its label comes from the leaflet
    # A task the model asks to retry later is rescheduled into the worker's own queue.
    for job in (Job.GENERATE, Job.TRANSLATE, Job.TTS, Job.STT):
        assert job in needs(WORKERS[job]).enqueues, job


# ------------------------------------------------------------- run-time refusal


def test_a_scoped_queue_refuses_other_queues() -> None:
    inner = MemoryTaskQueue()
    queue = ScopedQueue(inner, frozenset({Job.TAIGI}))
    assert queue.enqueue(Job.TAIGI.value, {"x": 1})
    with pytest.raises(NotWired):
        queue.enqueue(Job.GENERATE.value, {"x": 1})
    assert [t.queue for t in inner.take()] == [Job.TAIGI.value]


def test_a_linkless_bucket_stores_but_signs_nothing() -> None:
    inner = MemoryBlobStore()
    bucket = LinklessBucket(inner)
    bucket.put("archive/u/x.json", b"{}", "application/json")
    assert bucket.get("archive/u/x.json") == b"{}"
    with pytest.raises(NotWired):
        bucket.signed_url("archive/u/x.json", 60)
    assert bucket.delete_prefix("archive/u/") == 1


def test_no_model_refuses_every_call() -> None:
    model = NoModel()
    assert model.offline is False
    for call in (lambda: model.generate("s", "p"), lambda: model.transcribe(b"", "audio/ogg"),
                 lambda: model.speak("t", "en")):
        with pytest.raises(NotWired):
            call()
