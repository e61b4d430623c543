"""The offline plan check (issue 18, Build 3): the resource graph rendered from the HCL
(tests/tfplan.py: variables, locals, for_each, references, depends_on), and the order
constraints and invariants whose absence made the first apply fail:

1. the builder can read the Cloud Functions source bucket, and that grant has had time
   to propagate, before any function is created;
2. no alert policy is created before its log-based metric exists and has propagated;
3. no function is created seconds after the IAM grants it relies on;
4. every private function has exactly the invokers it needs (the identities Cloud Tasks
   and Cloud Scheduler sign as when they call it), every webhook exactly allUsers;
and, for an empty project, nothing is created before the APIs are enabled.
"""

from __future__ import annotations

import re

import pytest

from shared.jobs import WORKERS
from tests.deployment import functions, only, plan
from tests.tfplan import Instance, Unknown, unknown

BUILD_SA = "serviceAccount:" + unknown("google_service_account.build.email")
# Roles that read every object of the project's buckets: the source copy lives in
# gcf-v2-sources-<project number>-<region>, a bucket Cloud Functions creates itself.
STORAGE_READ_ROLES = frozenset({"roles/storage.objectViewer", "roles/storage.objectAdmin",
                                "roles/storage.admin"})
IAM_TYPES = re.compile(r"^google_\w+_iam_(member|binding|policy)$")
IAM_PROPAGATION_S = 60  # the provider's own example waits 60 s
METRIC_PROPAGATION_S = 600  # "it could take up to 10 minutes to become available"


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, f"not a duration in seconds: {duration}"
    return int(match[1])


def waits(minimum_s: int) -> set[str]:
    """time_sleep resources that wait at least this long on creation."""
    return {i.resource for i in plan().of_type("time_sleep")
            if seconds(str(i.config.get("create_duration", "0s"))) >= minimum_s}


def waited_for(resource: str, prerequisite: str, minimum_s: int) -> bool:
    """`resource` is created after `prerequisite` AND a wait of minimum_s after it."""
    return any(prerequisite in plan().ancestors(wait)
               for wait in waits(minimum_s) & plan().ancestors(resource))


FUNCTION_RESOURCES = sorted({fn.instance.resource for fn in functions()})


# ------------------------------------------------------------------ 1. the builder


def builder_storage_grants() -> list[Instance]:
    return [i for i in plan().of_type("google_project_iam_member")
            if i.config["member"] == BUILD_SA and i.config["role"] in STORAGE_READ_ROLES]


def test_every_function_is_built_by_the_builder_account() -> None:
    for fn in functions():
        build = only(fn.instance.config["build_config"])
        assert build["service_account"] == Unknown("google_service_account.build.id"), \
            fn.resource


def test_the_builder_can_read_the_source_copy_before_any_function_is_built() -> None:
    grants = builder_storage_grants()
    assert grants, ("the builder has no project-level storage read: it cannot read "
                    "gcf-v2-sources-<number>-<region> (provider issue #20571)")
    for resource in FUNCTION_RESOURCES:
        assert any(waited_for(resource, g.resource, IAM_PROPAGATION_S) for g in grants), \
            f"{resource} may be built before the builder's storage grant propagated"


# ------------------------------------------------------------------ 2. alerts


def metric_names() -> dict[str, str]:
    """Log-based metric name -> its resource."""
    return {i.config["name"]: i.resource for i in plan().of_type("google_logging_metric")}


def test_no_alert_policy_is_created_before_its_metric_has_propagated() -> None:
    metrics = metric_names()
    policies = plan().of_type("google_monitoring_alert_policy")
    assert policies
    for policy in policies:
        used = set()
        for condition in policy.config["conditions"]:
            threshold = only(condition["condition_threshold"])
            used |= set(re.findall(r"logging\.googleapis\.com/user/([\w/.-]+)",
                                   threshold["filter"]))
        assert used, f"{policy.address} reads no log-based metric"
        for name in used:
            assert name in metrics, f"{policy.address} reads an undeclared metric {name}"
            assert waited_for(policy.resource, metrics[name], METRIC_PROPAGATION_S), \
                f"{policy.address} may be created before {name} is available"


# ------------------------------------------------------------------ 3. IAM before functions


def grants_on(member: str) -> list[Instance]:
    return [i for i in plan().instances()
            if IAM_TYPES.match(i.type) and member in {
                str(i.config.get("member")), *map(str, i.config.get("members") or [])}]


@pytest.mark.parametrize("fn", functions(), ids=lambda fn: fn.entry_point)
def test_no_function_is_created_before_its_grants_propagated(fn) -> None:
    runtime_sa = str(Unknown(f'google_service_account.fn["{fn.entry_point}"].email'))
    service = fn.instance.config["service_config"][0]
    assert service["service_account_email"] == Unknown(
        f'google_service_account.fn["{fn.entry_point}"].email')
    relied_on = grants_on("serviceAccount:" + runtime_sa) + grants_on(BUILD_SA)
    assert relied_on
    for grant in relied_on:
        if fn.instance.resource in plan().ancestors(grant.resource) | {grant.resource}:
            continue  # granted on the function itself (run.invoker): comes after it
        assert waited_for(fn.instance.resource, grant.resource, IAM_PROPAGATION_S), \
            f"{fn.resource} may be created right after {grant.address}"


# ------------------------------------------------------------------ 4. invokers


def invokers() -> dict[str, set[str]]:
    from tests.unit.test_terraform import invoker_members

    return invoker_members()


def needed_invokers() -> dict[str, set[str]]:
    """Each function's callers' identities: the account the code gives Cloud Tasks for
    tasks to its queue (TASKS_INVOKER_SA of the enqueuing functions) and the OIDC account
    of every Scheduler job calling it."""
    needed: dict[str, set[str]] = {fn.entry_point: set() for fn in functions()}
    enqueuers = {fn.entry_point: fn for fn in functions()}
    for queue in plan().of_type("google_cloud_tasks_queue"):
        worker = queue.each_value["worker"]
        for fn_name, spec in plan().local("functions").items():
            if queue.config["name"] in spec["enqueues"]:
                sa = enqueuers[fn_name].env["TASKS_INVOKER_SA"]
                needed[worker].add(f"serviceAccount:{sa}")
    base = str(next(iter(functions())).env["WORKER_BASE_URL"])
    for job in plan().of_type("google_cloud_scheduler_job"):
        target = only(job.config["http_target"])
        oidc = only(target["oidc_token"])
        assert oidc["audience"] == target["uri"]
        assert str(target["uri"]).startswith(base + "/")
        needed[str(target["uri"]).removeprefix(base + "/")].add(
            f"serviceAccount:{oidc['service_account_email']}")
    for webhook in ("line_webhook", "telegram_webhook"):
        needed[webhook].add("allUsers")  # LINE and Telegram present no Google identity
    return needed


def test_every_function_has_exactly_the_invokers_it_needs() -> None:
    needed = needed_invokers()
    assert needed["reminder_tick"] and all(needed[w] for w in WORKERS.values())
    assert invokers() == needed


# ------------------------------------------------------------------ an empty project


def test_nothing_is_created_before_the_apis_are_enabled() -> None:
    for resource in plan().resource_addresses:
        spec = plan().spec(resource)
        if spec.mode == "data" or spec.type in ("google_project_service", "time_sleep"):
            continue
        assert "google_project_service.api" in plan().ancestors(resource), resource


def test_the_renderer_refuses_what_it_cannot_resolve(tmp_path) -> None:
    # The checks above are only as good as the renderer: it must fail, not guess.
    from tests.tfplan import Plan, PlanError

    (tmp_path / "main.tf").write_text(
        'resource "google_x" "y" {\n  name = local.missing\n}\n', encoding="utf-8")
    with pytest.raises(PlanError):
        Plan(tmp_path).instances()
    (tmp_path / "main.tf").write_text(
        'resource "google_x" "y" {\n  name = lookup_everything()\n}\n', encoding="utf-8")
    with pytest.raises(PlanError):
        Plan(tmp_path).instances()


def test_secret_references_name_the_project_by_number() -> None:
    # The provider prefers the project number; an id shows as a permanent diff.
    for fn in functions():
        for ref in fn.service.get("secret_environment_variables", []):
            assert ref["project_id"] == Unknown("data.google_project.this.number"), fn.resource
            assert ref["version"] == "latest"
