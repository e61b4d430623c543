"""Terraform agreement tests: infra/terraform must deploy exactly what the code expects.

The terraform binary is not available here, so the configuration is rendered offline by
tests/tfplan.py (variables, locals, for_each, references, functions, as `terraform plan`
would) and the tests read the resulting resource instances. Anything the renderer does
not understand fails the test, so a restructured configuration cannot pass unread.

Checked against the code:
(a) entry points in main.py (or, until main.py exists, the agreed list) <-> function
    resources; every worker of shared.jobs.WORKERS is deployed;
(b) queue_name(job) for every Job <-> google_cloud_tasks_queue, each feeding WORKERS[job];
(c) every env var a function sets (plain or from Secret Manager) is a Settings field,
    Literal-typed fields get allowed values, and the cloud settings are on every function;
(d) the trust boundary: the webhooks are the only functions reachable from the internet
    or by allUsers; every private function has internal-only ingress;
(e) buckets enforce public access prevention and uniform access;
and, from a static read of shared/: every collection the code visibly writes an
expires_at into has a TTL policy, and every literal query that needs a composite index
has one (the Firestore emulator does not enforce indexes, so only this test can notice).
"""

from __future__ import annotations

import ast
import re
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest

from shared.jobs import WORKERS, Job, queue_names
from shared.plumbing.files import FILE_AREAS
from shared.settings import Settings
from tests.deployment import OPERATOR_VARS, TF_DIR, functions, only, plan
from tests.tfplan import Plan, Scope, Unknown

ROOT = Path(__file__).resolve().parents[2]
MAIN_PY = ROOT / "main.py"
SHARED_DIR = ROOT / "shared"
TF_FILES = sorted(TF_DIR.glob("*.tf"))

WEBHOOKS = frozenset({"line_webhook", "telegram_webhook"})
# The entry points agreed for main.py; used while main.py does not exist yet.
EXPECTED_ENTRY_POINTS = WEBHOOKS | frozenset(
    {
        "dialog_worker",
        "generate_worker",
        "translate_worker",
        "tts_worker",
        "stt_worker",
        "email_worker",
        "remind_worker",
        "reminder_tick",
    }
)
# Names main.py may import or assign that are entry points even if not yet in the list.
ENTRY_POINT_NAME = re.compile(r"^[a-z][a-z0-9_]*_(?:webhook|worker|tick)$")

# Settings every deployed function needs; None means "any non-empty value".
REQUIRED_CLOUD_SETTINGS: dict[str, str | None] = {
    "WORKER_AUTH": "oidc",
    "STORE_BACKEND": "firestore",
    "TASKS_BACKEND": "cloudtasks",
    "BLOB_BACKEND": "gcs",
    "WORKER_BASE_URL": None,
    "TASKS_INVOKER_SA": None,
    "GCP_PROJECT": None,
}
# Environment variables read by the runtime, not by Settings.
FRAMEWORK_ENV = frozenset({"THREADS"})  # functions-framework's gunicorn threads

PUBLIC_PRINCIPALS = frozenset({"allUsers", "allAuthenticatedUsers"})
INVOKER_IAM_TYPES = frozenset(
    {
        "google_cloud_run_service_iam_member",
        "google_cloud_run_service_iam_binding",
        "google_cloud_run_v2_service_iam_member",
        "google_cloud_run_v2_service_iam_binding",
        "google_cloudfunctions2_function_iam_member",
        "google_cloudfunctions2_function_iam_binding",
    }
)


def _parse(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return hcl2.load(f)


def main_py_entry_points(source: str) -> set[str]:
    """Top-level public functions, plus entry-point names imported or assigned."""

    def is_entry_name(name: str) -> bool:
        return name in EXPECTED_ENTRY_POINTS or bool(ENTRY_POINT_NAME.match(name))

    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if not node.name.startswith("_"):
                names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if is_entry_name(bound):
                    names.add(bound)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and is_entry_name(target.id):
                    names.add(target.id)
    return names


def code_entry_points() -> set[str]:
    if MAIN_PY.exists():
        return main_py_entry_points(MAIN_PY.read_text(encoding="utf-8"))
    return set(EXPECTED_ENTRY_POINTS)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: p.name)
def test_every_tf_file_parses(path: Path) -> None:
    assert _parse(path)


def test_terraform_files_exist() -> None:
    assert {"versions.tf", "variables.tf", "outputs.tf"} <= {p.name for p in TF_FILES}


# (a) entry points


def test_main_py_entry_point_reader() -> None:
    # GIVEN a main.py mixing defs, re-exports, assignments and helpers
    source = (
        "import functions_framework\n"
        "from functions.line import line_webhook\n"
        "from functions.workers import handle as dialog_worker\n"
        "from shared.settings import load_settings\n"
        "reminder_tick = functions_framework.http(load_settings)\n"
        "def telegram_webhook(request): ...\n"
        "def _helper(): ...\n"
    )
    # WHEN it is read THEN only the entry points are found
    assert main_py_entry_points(source) == {
        "line_webhook",
        "dialog_worker",
        "reminder_tick",
        "telegram_webhook",
    }


def test_every_entry_point_has_exactly_one_function_and_vice_versa() -> None:
    deployed = [fn.entry_point for fn in functions()]
    assert len(deployed) == len(set(deployed)), f"entry point deployed twice: {deployed}"
    expected = code_entry_points()
    source = "main.py" if MAIN_PY.exists() else "the agreed entry-point list (no main.py yet)"
    assert set(deployed) - expected == set(), f"function resources missing from {source}"
    assert expected - set(deployed) == set(), f"entry points in {source} without a function"


def test_functions_are_named_after_their_entry_points() -> None:
    # Settings.worker_base_url: a task for worker W goes to f"{base}/{W}".
    for fn in functions():
        assert fn.name == fn.entry_point, fn.resource


def test_every_job_worker_is_deployed() -> None:
    deployed = {fn.entry_point for fn in functions()}
    assert set(WORKERS.values()) <= deployed


def test_scheduler_calls_reminder_tick_with_oidc() -> None:
    jobs = plan().of_type("google_cloud_scheduler_job")
    assert jobs, "no Cloud Scheduler job"
    targets = set()
    for job in jobs:
        http = only(job.config["http_target"])
        assert "oidc_token" in http, "scheduler must authenticate with an OIDC token"
        # functions/_http.authorized: the token's audience must be the function's own URL.
        assert only(http["oidc_token"])["audience"] == http["uri"]
        targets.add(str(http["uri"]).rsplit("/", 1)[-1])
        assert "retry_config" in job.config
    assert targets == {"reminder_tick"}
    assert "reminder_tick" in {fn.entry_point for fn in functions()}


# (b) queues


def queues() -> dict[str, Any]:
    """Queue name -> its for_each value (the locals entry) or None."""
    found: dict[str, Any] = {}
    for queue in plan().of_type("google_cloud_tasks_queue"):
        name = queue.config["name"]
        assert name not in found, f"queue {name} declared twice"
        found[name] = queue.each_value
        assert "rate_limits" in queue.config and "retry_config" in queue.config, name
    return found


def test_every_job_queue_exists_and_every_queue_is_used() -> None:
    code = {name for job in Job for name in queue_names(job)}  # with the lanes
    terraform = set(queues())
    assert code - terraform == set(), "queues used by the code but not in Terraform"
    assert terraform - code == set(), "queues in Terraform that no Job uses"


def test_each_queue_feeds_the_worker_of_its_job() -> None:
    declared = queues()
    for job in Job:
        for name in queue_names(job):
            spec = declared[name]
            if isinstance(spec, dict) and "worker" in spec:
                assert spec["worker"] == WORKERS[job], name


def test_declared_grants_reference_existing_queues_and_secrets() -> None:
    # Terraform only notices a bad map key at plan time; catch it here.
    queue_names = set(queues())
    secret_names = set(plan().local("secrets"))
    for entry_point, spec in plan().local("functions").items():
        assert set(spec["enqueues"]) <= queue_names, entry_point
        assert set(spec["secrets"]) <= secret_names, entry_point


# (c) settings


def settings_fields() -> dict[str, Any]:
    return {name.upper(): info.annotation for name, info in Settings.model_fields.items()}


def test_every_env_var_is_a_settings_field() -> None:
    fields = settings_fields()
    for fn in functions():
        unknown = (set(fn.env) | fn.secret_env) - set(fields) - FRAMEWORK_ENV
        assert unknown == set(), f"{fn.resource} sets env vars Settings does not read"
        assert set(fn.env) & fn.secret_env == set(), f"{fn.resource}: plain and secret"


def test_literal_settings_get_allowed_values() -> None:
    fields = settings_fields()
    for fn in functions():
        for key, value in fn.env.items():
            if key in FRAMEWORK_ENV:
                continue
            if typing.get_origin(fields[key]) is typing.Literal and not isinstance(value,
                                                                                   Unknown):
                assert value in typing.get_args(fields[key]), f"{fn.resource}: {key}={value}"


def test_cloud_settings_are_set_on_every_function() -> None:
    for fn in functions():
        for key, expected in REQUIRED_CLOUD_SETTINGS.items():
            assert fn.env.get(key), f"{fn.resource} lacks {key}"
            if expected is not None:
                assert fn.env[key] == expected, f"{fn.resource}: {key}={fn.env[key]}"


def test_secrets_are_secret_manager_references_not_values() -> None:
    secret_fields = {
        "LINE_CHANNEL_SECRET",
        "LINE_CHANNEL_ACCESS_TOKEN",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "GEMINI_API_KEY",
        "SMTP_PASSWORD",
        "DEV_AUTH_TOKEN",
    }
    for fn in functions():
        assert secret_fields & set(fn.env) == set(), f"{fn.resource} has a secret in plain env"
    # The deployment calls Gemini on Vertex AI as each function's service account: no
    # Gemini API key exists in production (vertex.tf); the dev token is local only.
    assert set(plan().local("secrets")) == secret_fields - {"DEV_AUTH_TOKEN",
                                                             "GEMINI_API_KEY"}


# (c') the model on Vertex AI

# Functions whose code builds the model (Container.llm / Container.speaker): the workers
# of the queues whose tasks call Gemini (local.queues gemini_calls_per_task > 0), and the
# dialog worker for the medication fallback (features/medication/reading.py interpret).
def expected_model_callers() -> set[str]:
    queues = plan().local("queues")
    return {spec["worker"] for spec in queues.values()
            if spec["gemini_calls_per_task"] > 0} | {"dialog_worker"}


_FUNCTION_MEMBER = re.compile(r'^serviceAccount:⟨google_service_account\.fn\["(\w+)"\]\.email⟩$')


def aiplatform_holders() -> set[str]:
    """Functions whose service account holds a Vertex AI role, from any IAM resource."""
    holders: set[str] = set()
    for instance in plan().instances():
        if "iam" not in instance.type or "aiplatform" not in str(instance.config.get("role")):
            continue
        assert instance.type == "google_project_iam_member", instance.address
        match = _FUNCTION_MEMBER.match(str(instance.config["member"]))
        assert match, f"{instance.address}: {instance.config['member']}"
        holders.add(match[1])
    return holders


def test_model_calling_functions_use_vertex_ai_and_hold_no_gemini_key() -> None:
    callers = set(plan().local("model_callers"))
    assert callers == expected_model_callers()
    deployed = {fn.entry_point: fn for fn in functions()}
    assert callers <= set(deployed)
    for entry_point in callers:
        fn = deployed[entry_point]
        assert fn.env.get("GEMINI_BACKEND") == "vertex", entry_point
        assert fn.env.get("GEMINI_LOCATION"), entry_point
        assert fn.env.get("GEMINI_MODEL") and fn.env.get("GEMINI_TTS_MODEL"), entry_point
    for fn in functions():
        assert "GEMINI_API_KEY" not in fn.secret_env | set(fn.env), fn.resource


def test_only_the_model_calling_functions_hold_the_vertex_ai_user_role() -> None:
    assert aiplatform_holders() == expected_model_callers()
    roles = {i.config["role"] for i in plan().of_type("google_project_iam_member")
             if "aiplatform" in str(i.config["role"])}
    assert roles == {"roles/aiplatform.user"}


def default_of(variable: str) -> Any:
    return plan().evaluate(plan().variables[variable].attributes["default"], Scope())


def test_the_vertex_ai_api_is_enabled_and_the_default_models_are_current() -> None:
    enabled = {i.config["service"] for i in plan().of_type("google_project_service")}
    assert "aiplatform.googleapis.com" in enabled
    assert default_of("gemini_model") == Settings().gemini_model
    assert default_of("gemini_tts_model") == Settings().gemini_tts_model
    assert default_of("gemini_location") == Settings().gemini_location
    for model in ("gemini_model", "gemini_tts_model"):
        assert "preview" not in default_of(model)


# (d) the trust boundary


_SERVICE_OF = re.compile(
    r'^(?P<function>google_cloudfunctions2_function\.\w+\["[^"]+"\])'
    r"\.(?:service_config\[0\]\.service|name)$")


def invoked_entry_point(target: Any) -> str:
    """The entry point whose function (Cloud Run service) an invoker grant targets."""
    by_address = {fn.resource: fn.entry_point for fn in functions()}
    if isinstance(target, Unknown) and (match := _SERVICE_OF.match(target.what)):
        return by_address[match["function"]]
    by_service = {fn.name.replace("_", "-"): fn.entry_point for fn in functions()}
    by_service.update({fn.name: fn.entry_point for fn in functions()})
    if isinstance(target, str) and target in by_service:
        return by_service[target]
    raise AssertionError(f"cannot resolve which function an invoker grant opens: {target!r}")


def invoker_members() -> dict[str, set[str]]:
    """Entry point -> every principal granted invocation of it (run.invoker)."""
    found: dict[str, set[str]] = {fn.entry_point: set() for fn in functions()}
    for instance in plan().instances():
        if instance.type not in INVOKER_IAM_TYPES:
            continue
        config = instance.config
        entry_point = invoked_entry_point(config.get("service", config.get("cloud_function")))
        members = config.get("members", [config.get("member")])
        found[entry_point].update(str(m) for m in members)
    return found


def test_only_webhooks_are_public() -> None:
    public = {fn for fn, members in invoker_members().items() if members & PUBLIC_PRINCIPALS}
    assert public == WEBHOOKS
    for fn in functions():
        if fn.entry_point in WEBHOOKS:
            assert fn.ingress == "ALLOW_ALL", f"{fn.resource}: LINE/Telegram cannot reach it"


def test_every_private_function_is_behind_iam_and_internal_only_ingress() -> None:
    # The trust boundary the workers' token check relies on (shared/adapters/oidc.py,
    # README "Trust boundary"): Cloud Run verifies the caller's token and run.invoker,
    # and only Cloud Tasks / Cloud Scheduler of the project can reach the function.
    private = [fn for fn in functions() if fn.entry_point not in WEBHOOKS]
    assert len(private) == len(functions()) - len(WEBHOOKS) >= 9
    members = invoker_members()
    for fn in private:
        assert fn.ingress == "ALLOW_INTERNAL_ONLY", f"{fn.resource}: ingress {fn.ingress}"
        assert members[fn.entry_point], f"{fn.resource}: nobody may invoke it"
        assert not members[fn.entry_point] & PUBLIC_PRINCIPALS, f"{fn.resource} is public"
        assert all(m.startswith("serviceAccount:") for m in members[fn.entry_point])


# (e) storage


def test_buckets_are_private() -> None:
    buckets = plan().of_type("google_storage_bucket")
    assert buckets
    for bucket in buckets:
        assert bucket.config.get("public_access_prevention") == "enforced", bucket.address
        assert bucket.config.get("uniform_bucket_level_access") is True, bucket.address
    for instance in plan().instances():
        if instance.type.startswith("google_storage_bucket_iam"):
            members = set(instance.config.get("members", [instance.config.get("member")]))
            assert PUBLIC_PRINCIPALS & members == set(), f"{instance.address} is public"


def test_bucket_lifecycle_deletes_audio_and_archive() -> None:
    prefixes: set[str] = set()
    for bucket in plan().of_type("google_storage_bucket"):
        for rule in bucket.config.get("lifecycle_rule", []):
            if only(rule["action"])["type"] == "Delete":
                prefixes.update(only(rule["condition"]).get("matches_prefix", []))
    assert {"audio/", "archive/"} <= prefixes


def test_every_storage_area_the_code_writes_has_its_own_delete_rule() -> None:
    # plumbing/files.py FILE_AREAS lists the top-level areas user files live in, and its comment
    # promises each a lifecycle rule (issue 13: handouts/ had none).
    ages: dict[str, object] = {}
    rendered = Plan(TF_DIR, {**OPERATOR_VARS, "handout_retention_days": 3})
    for bucket in rendered.of_type("google_storage_bucket"):
        for rule in bucket.config.get("lifecycle_rule", []):
            condition = only(rule["condition"])
            if only(rule["action"])["type"] == "Delete":
                ages.update((prefix, condition.get("age"))
                            for prefix in condition.get("matches_prefix", []))
    assert {f"{area}/" for area in FILE_AREAS} <= set(ages)
    assert ages["handouts/"] == 3  # the operator's setting


# --------------------------------------------------- Firestore: TTL and indexes vs code

EQUALITY_OPS = frozenset({"==", "in", "array_contains", "array-contains"})


def _shared_modules() -> list[ast.Module]:
    return [ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SHARED_DIR.rglob("*.py"))]


def _module_constants(module: ast.Module) -> dict[str, str]:
    constants: dict[str, str] = {}
    for node in module.body:
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            constants[target.id] = value.value
    # Constants imported from another shared module ("from ...records import OUTBOX").
    for node in module.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("shared."):
            theirs = _constants_of(str(node.module))
            constants.update({alias.asname or alias.name: theirs[alias.name]
                              for alias in node.names if alias.name in theirs})
    return constants


@cache
def _constants_of(dotted: str) -> dict[str, str]:
    source = ROOT.joinpath(*dotted.split(".")).with_suffix(".py")
    if not source.is_file():
        return {}
    return _module_constants(ast.parse(source.read_text(encoding="utf-8")))


def _assigned(scope: ast.AST, name: str) -> ast.expr | None:
    """The value last assigned to a plain local `name` in scope, if any."""
    found = None
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id == name:
                found = node.value
    return found


def _text_prefix(node: ast.expr, constants: dict[str, str]) -> str | None:
    """Leading literal text of a str constant or f-string (module constants resolved)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    text = ""
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            text += part.value
        elif (
            isinstance(part, ast.FormattedValue)
            and isinstance(part.value, ast.Name)
            and part.value.id in constants
        ):
            text += constants[part.value.id]
        else:
            break
    return text


@cache
def _path_helpers() -> dict[str, str]:
    """Module-level functions of shared/ that return a path, e.g. session_path(key) ->
    f"{SESSIONS}/{key}": function name -> the path's literal prefix ("sessions/")."""
    helpers: dict[str, str] = {}
    for module in _shared_modules():
        constants = _module_constants(module)
        for node in module.body:
            if isinstance(node, ast.FunctionDef) and node.name.endswith("_path") \
                    and isinstance(node.body[-1], ast.Return) and node.body[-1].value:
                text = _text_prefix(node.body[-1].value, constants)
                if text is not None and "/" in text:
                    helpers[node.name] = text
    return helpers


def _collection(
    node: ast.expr, scope: ast.AST, constants: dict[str, str], *, doc: bool
) -> str | None:
    """Collection named by a document path (doc=True, "c/<id>") or a collection path."""
    if isinstance(node, ast.Call):  # a path helper: session_path(key), ...
        name = node.func.id if isinstance(node.func, ast.Name) else \
            node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if name not in _path_helpers():
            return None
        node = ast.Constant(_path_helpers()[name])
    if isinstance(node, ast.Name):
        if node.id in constants:
            node = ast.Constant(constants[node.id])
        else:
            assigned = _assigned(scope, node.id)
            if assigned is None or isinstance(assigned, ast.Name):
                return None
            node = assigned
    text = _text_prefix(node, constants)
    if text is None:
        return None
    head, sep, _ = text.partition("/")
    if doc and not sep:
        return None
    return head if re.fullmatch(r"[a-z_]+", head) else None


def _dict_with_key(node: ast.expr, scope: ast.AST, key: str) -> bool:
    if isinstance(node, ast.Name):
        assigned = _assigned(scope, node.id)
        node = assigned if assigned is not None else node
    return isinstance(node, ast.Dict) and any(
        isinstance(k, ast.Constant) and k.value == key for k in node.keys
    )


def _function_scopes(module: ast.Module) -> list[ast.AST]:
    return [
        node
        for node in ast.walk(module)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def code_ttl_collections() -> set[str]:
    """Collections into which shared/ writes a document carrying expires_at."""
    found: set[str] = set()
    for module in _shared_modules():
        constants = _module_constants(module)
        for scope in _function_scopes(module):
            for call in ast.walk(scope):
                if not isinstance(call, ast.Call) or len(call.args) < 2:
                    continue
                if any(_dict_with_key(arg, scope, "expires_at") for arg in call.args[1:]):
                    name = _collection(call.args[0], scope, constants, doc=True)
                    if name is not None:
                        found.add(name)
    return found


def terraform_ttl_collections() -> set[str]:
    found: set[str] = set()
    for field in plan().of_type("google_firestore_field"):
        if "ttl_config" not in field.config:
            continue
        assert field.config["field"] == "expires_at", field.address
        found.add(field.config["collection"])
    return found


def test_every_collection_written_with_expires_at_has_a_ttl_policy() -> None:
    code = code_ttl_collections()
    assert len(code) >= 3, f"the scan of shared/ found too little to be working: {code}"
    assert code - terraform_ttl_collections() == set(), "expires_at written but never expires"


@dataclass(frozen=True)
class Query:
    collection: str
    equality: frozenset[str]
    ranged: frozenset[str]  # inequality filters and order_by


def _filters(node: ast.expr, scope: ast.AST) -> list[tuple[str, str]] | None:
    if isinstance(node, ast.Name):
        assigned = _assigned(scope, node.id)
        node = assigned if assigned is not None else node
    if not isinstance(node, ast.List | ast.Tuple):
        return None
    out = []
    for item in node.elts:
        if not (isinstance(item, ast.Call) and len(item.args) >= 2):
            return None
        field, op = item.args[0], item.args[1]
        if not (isinstance(field, ast.Constant) and isinstance(op, ast.Constant)):
            return None
        out.append((str(field.value), str(op.value)))
    return out


def code_queries() -> list[Query]:
    """Store queries in shared/ whose collection, filters and order are literal."""
    found = []
    for module in _shared_modules():
        constants = _module_constants(module)
        for scope in _function_scopes(module):
            for call in ast.walk(scope):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "query"
                    and call.args
                ):
                    continue
                collection = _collection(call.args[0], scope, constants, doc=False)
                filters = _filters(call.args[1], scope) if len(call.args) > 1 else []
                if collection is None or filters is None:
                    continue
                ranged = {f for f, op in filters if op not in EQUALITY_OPS}
                for keyword in call.keywords:
                    if keyword.arg == "order_by" and isinstance(keyword.value, ast.Constant):
                        ranged.add(str(keyword.value.value))
                equality = {f for f, op in filters if op in EQUALITY_OPS}
                found.append(Query(collection, frozenset(equality), frozenset(ranged)))
    return found


def needs_composite(query: Query) -> bool:
    # Single-field indexes serve: equalities alone (index merging), or range/order on one
    # field alone. Equality plus range/order on another field, or range/order on two
    # fields, need a composite index.
    return len(query.ranged) > 1 or bool(query.ranged and query.equality - query.ranged)


def composite_indexes() -> dict[str, list[list[str]]]:
    """Collection -> field paths (in order) of each declared composite index."""
    out: dict[str, list[list[str]]] = {}
    for index in plan().of_type("google_firestore_index"):
        fields = [str(f["field_path"]) for f in index.config.get("fields", [])]
        out.setdefault(str(index.config["collection"]), []).append(fields)
    return out


def test_queries_that_need_a_composite_index_have_one() -> None:
    queries = code_queries()
    assert any(q.collection == "doses" for q in queries), "the query scan found nothing"
    declared = composite_indexes()
    for query in filter(needs_composite, queries):
        wanted = query.equality | query.ranged
        matches = [
            fields
            for fields in declared.get(query.collection, [])
            if set(fields) >= wanted
            # equality fields first, then the range/order field(s)
            and set(fields[: len(query.equality - query.ranged)]) == query.equality - query.ranged
        ]
        assert matches, f"no composite index for {query}"


def test_due_doses_query_is_served_by_the_sharded_index_and_nothing_sequential() -> None:
    # Changed on purpose (issue 16): the due-doses query was a range on next_due_at
    # alone, served by its single-field index; every claim of the 08:00 burst then wrote
    # into one sequential index range. It now starts with the shard (equality), so it
    # needs the composite (shard, next_due_at), and next_due_at loses its single-field
    # index: no write at the burst lands in one range of it alone.
    due = [q for q in code_queries() if q.collection == "doses" and "next_due_at" in q.ranged]
    assert due, "the reminder tick's due-doses query was not found"
    assert all(q.equality == {"shard"} for q in due), due
    assert ["shard", "next_due_at"] in composite_indexes()["doses"]
    exempt = {(str(f.config["collection"]), str(f.config["field"]))
              for f in plan().of_type("google_firestore_field") if "index_config" in f.config}
    assert {("doses", "next_due_at"), ("doses", "shard")} <= exempt
    assert ("remind_claims", "expires_at") in exempt  # TTL fields too
    # ...and every literal query of the code on an exempted field is served by a
    # composite index (the single-field ones are gone).
    for query in code_queries():
        fields = query.equality | query.ranged
        for collection, field in exempt:
            if query.collection == collection and field in fields:
                assert needs_composite(query), query
