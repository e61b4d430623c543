"""Terraform agreement tests: infra/terraform must deploy exactly what the code expects.

The terraform binary is not available here, so the .tf files are read with python-hcl2
and the few expression forms the configuration uses (local maps, for_each over them,
merge(...), toset(each.value.x)) are resolved by hand. Anything else makes the test fail
with "cannot resolve", so a restructured configuration cannot pass by going unread.

Checked against the code:
(a) entry points in main.py (or, until main.py exists, the agreed list) <-> function
    resources; every worker of shared.jobs.WORKERS is deployed;
(b) queue_name(job) for every Job <-> google_cloud_tasks_queue, each feeding WORKERS[job];
(c) every env var a function sets (plain or from Secret Manager) is a Settings field,
    Literal-typed fields get allowed values, and the cloud settings are on every function;
(d) the webhooks are the only functions reachable from the internet or by allUsers;
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

from shared.jobs import WORKERS, Job, queue_name
from shared.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TF_DIR = ROOT / "infra" / "terraform"
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
INTERNAL_INGRESS = frozenset({"ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"})

_HCL_OPTIONS = hcl2.SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)
_EXPR = re.compile(r"^\$\{(?P<inner>.*)\}$", re.DOTALL)
_RESOURCE_REF = re.compile(r"^(?P<type>google_\w+)\.(?P<name>\w+)$")
_INDEXED_REF = re.compile(r'^(?P<type>google_\w+)\.(?P<name>\w+)\["(?P<key>[^"]+)"\]')


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class Config:
    resources: dict[tuple[str, str], dict[str, Any]]
    locals: dict[str, Any]


def _parse(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return hcl2.load(f, serialization_options=_HCL_OPTIONS)


@cache
def config() -> Config:
    resources: dict[tuple[str, str], dict[str, Any]] = {}
    local_values: dict[str, Any] = {}
    for path in TF_FILES:
        doc = _parse(path)
        for block in doc.get("resource", []):
            for rtype, by_name in block.items():
                for name, body in by_name.items():
                    assert (rtype, name) not in resources, f"duplicate {rtype}.{name}"
                    resources[(rtype, name)] = body
        for block in doc.get("locals", []):
            for key, value in block.items():
                assert key not in local_values, f"duplicate local.{key}"
                local_values[key] = value
    return Config(resources, local_values)


def of_type(rtype: str) -> dict[str, dict[str, Any]]:
    return {name: body for (t, name), body in config().resources.items() if t == rtype}


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block `name` (hcl2 gives blocks as one-element lists)."""
    blocks = body.get(name)
    assert isinstance(blocks, list) and len(blocks) == 1, f"expected one {name} block"
    first = blocks[0]
    assert isinstance(first, dict)
    return first


# ------------------------------------------------------------------ expression resolver


def expression(value: Any) -> str | None:
    """The inside of a pure "${...}" interpolation, or None for a literal."""
    if isinstance(value, str):
        match = _EXPR.match(value)
        if match and "${" not in match["inner"]:
            return match["inner"].strip()
    return None


def resolve(ref: str, instance: tuple[str, Any] | None) -> Any:
    """Value of local.NAME, each.key, each.value.FIELD (instance = (key, value))."""
    if ref.startswith("local."):
        name = ref.removeprefix("local.")
        assert name in config().locals, f"cannot resolve {ref}: no such local"
        return config().locals[name]
    if instance is not None and ref == "each.key":
        return instance[0]
    if instance is not None and ref.startswith("each.value."):
        field = ref.removeprefix("each.value.")
        assert isinstance(instance[1], dict) and field in instance[1], f"cannot resolve {ref}"
        return instance[1][field]
    raise AssertionError(f"cannot resolve {ref!r}")


def for_each_instances(rtype: str, name: str) -> dict[str, Any]:
    """Instance key -> each.value of a resource (a single "" key without for_each)."""
    body = config().resources[(rtype, name)]
    if "for_each" not in body:
        return {"": None}
    ref = expression(body["for_each"])
    assert ref is not None, f"cannot resolve for_each of {rtype}.{name}"
    target = _RESOURCE_REF.match(ref)
    if target:  # for_each = another resource: same keys, each.value is that instance
        return for_each_instances(target["type"], target["name"])
    if ref.startswith("toset("):  # a set: each.key = each.value = the element
        return {item: item for item in string_list(body["for_each"], None)}
    value = resolve(ref, None)
    assert isinstance(value, dict), f"for_each of {rtype}.{name} is not a map"
    return value


def string_value(value: Any, instance: tuple[str, Any] | None) -> Any:
    ref = expression(value)
    return value if ref is None else resolve(ref, instance)


def string_list(value: Any, instance: tuple[str, Any] | None) -> list[Any]:
    ref = expression(value)
    if ref is None:
        assert isinstance(value, list)
        return value
    literal = re.fullmatch(r"toset\(\[(?P<items>[^\]]*)\]\)", ref)
    if literal:  # toset(["a", "b"])
        return re.findall(r'"([^"]*)"', literal["items"])
    toset = re.fullmatch(r"toset\((?P<arg>[\w.]+)\)", ref)
    resolved = resolve(toset["arg"] if toset else ref, instance)
    assert isinstance(resolved, list), f"cannot resolve {ref!r} to a list"
    return resolved


def mapping(value: Any, instance: tuple[str, Any] | None) -> dict[str, Any]:
    """A literal map, a reference to one, or merge() of those."""
    if isinstance(value, dict):
        return value
    ref = expression(value)
    assert ref is not None, f"cannot resolve map {value!r}"
    merge = re.fullmatch(r"merge\((?P<args>[^()]*)\)", ref)
    parts = [a.strip() for a in merge["args"].split(",")] if merge else [ref]
    out: dict[str, Any] = {}
    for part in parts:
        resolved = resolve(part, instance)
        if isinstance(resolved, str):  # a local defined by an expression, e.g. merge(...)
            resolved = mapping(resolved, None)
        assert isinstance(resolved, dict), f"{part} is not a map"
        out.update(resolved)
    return out


# ------------------------------------------------------------------------ functions


@dataclass(frozen=True)
class Function:
    resource: str  # e.g. google_cloudfunctions2_function.worker["dialog_worker"]
    entry_point: str
    name: str
    ingress: str
    env: dict[str, Any]
    secret_env: frozenset[str]


def secret_env_keys(service: dict[str, Any], instance: tuple[str, Any]) -> set[str]:
    keys: set[str] = set()
    for static in service.get("secret_environment_variables", []):
        keys.add(string_value(static["key"], instance))
    for dynamic in service.get("dynamic", []):
        for label, spec in dynamic.items():
            if label != "secret_environment_variables":
                continue
            content = block(spec, "content")
            assert expression(content["key"]) == f"{label}.value", "cannot resolve secret key"
            keys.update(string_list(spec["for_each"], instance))
    return keys


@cache
def functions() -> tuple[Function, ...]:
    found = []
    for name in of_type("google_cloudfunctions2_function"):
        body = config().resources[("google_cloudfunctions2_function", name)]
        for key, value in for_each_instances("google_cloudfunctions2_function", name).items():
            instance = (key, value)
            service = block(body, "service_config")
            found.append(
                Function(
                    resource=f'google_cloudfunctions2_function.{name}["{key}"]',
                    entry_point=string_value(block(body, "build_config")["entry_point"], instance),
                    name=string_value(body["name"], instance),
                    ingress=string_value(service.get("ingress_settings", "ALLOW_ALL"), instance),
                    env=mapping(service.get("environment_variables", {}), instance),
                    secret_env=frozenset(secret_env_keys(service, instance)),
                )
            )
    return tuple(found)


def functions_by_resource_name() -> dict[str, set[str]]:
    """Function resource name -> entry points of its instances."""
    out: dict[str, set[str]] = {}
    for fn in functions():
        resource_name = fn.resource.split(".")[1].split("[")[0]
        out.setdefault(resource_name, set()).add(fn.entry_point)
    return out


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
    jobs = of_type("google_cloud_scheduler_job")
    assert jobs, "no Cloud Scheduler job"
    targets = set()
    for body in jobs.values():
        http = block(body, "http_target")
        assert "oidc_token" in http, "scheduler must authenticate with an OIDC token"
        # functions/_http.authorized: the token's audience must be the function's own URL.
        assert block(http, "oidc_token")["audience"] == http["uri"]
        targets.add(str(http["uri"]).rsplit("/", 1)[-1])
        assert "retry_config" in body
    assert targets == {"reminder_tick"}
    assert "reminder_tick" in {fn.entry_point for fn in functions()}


# (b) queues


def queues() -> dict[str, Any]:
    """Queue name -> its for_each value (the locals entry) or None."""
    found: dict[str, Any] = {}
    for name, body in of_type("google_cloud_tasks_queue").items():
        for key, value in for_each_instances("google_cloud_tasks_queue", name).items():
            queue = string_value(body["name"], (key, value))
            assert queue not in found, f"queue {queue} declared twice"
            found[queue] = value
            assert "rate_limits" in body and "retry_config" in body, queue
    return found


def test_every_job_queue_exists_and_every_queue_is_used() -> None:
    code = {queue_name(job) for job in Job}
    terraform = set(queues())
    assert code - terraform == set(), "queues used by the code but not in Terraform"
    assert terraform - code == set(), "queues in Terraform that no Job uses"


def test_each_queue_feeds_the_worker_of_its_job() -> None:
    declared = queues()
    for job in Job:
        spec = declared[queue_name(job)]
        if isinstance(spec, dict) and "worker" in spec:
            assert spec["worker"] == WORKERS[job], queue_name(job)


def test_declared_grants_reference_existing_queues_and_secrets() -> None:
    # Terraform only notices a bad map key at plan time; catch it here.
    queue_names = set(queues())
    secret_names = set(mapping("${local.secrets}", None))
    for entry_point, spec in mapping("${local.functions}", None).items():
        assert set(spec["enqueues"]) <= queue_names, entry_point
        assert set(spec["secrets"]) <= secret_names, entry_point


# (c) settings


def settings_fields() -> dict[str, Any]:
    return {name.upper(): info.annotation for name, info in Settings.model_fields.items()}


def test_every_env_var_is_a_settings_field() -> None:
    fields = settings_fields()
    for fn in functions():
        unknown = (set(fn.env) | fn.secret_env) - set(fields)
        assert unknown == set(), f"{fn.resource} sets env vars Settings does not read"
        assert set(fn.env) & fn.secret_env == set(), f"{fn.resource}: plain and secret"


def test_literal_settings_get_allowed_values() -> None:
    fields = settings_fields()
    for fn in functions():
        for key, value in fn.env.items():
            if typing.get_origin(fields[key]) is typing.Literal and "${" not in str(value):
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
    assert set(mapping("${local.secrets}", None)) == secret_fields - {"DEV_AUTH_TOKEN",
                                                                       "GEMINI_API_KEY"}


# (c') the model on Vertex AI

# Functions whose code builds the model (Container.llm / Container.speaker): the workers
# of the queues whose tasks call Gemini (local.queues gemini_calls_per_task > 0), and the
# dialog worker for the medication fallback (services/medication.py interpret).
def expected_model_callers() -> set[str]:
    queues = mapping("${local.queues}", None)
    return {spec["worker"] for spec in queues.values()
            if spec["gemini_calls_per_task"] > 0} | {"dialog_worker"}


def aiplatform_holders() -> set[str]:
    """Functions whose service account holds a Vertex AI role, from any IAM resource."""
    holders: set[str] = set()
    for (rtype, name), body in config().resources.items():
        if "iam" not in rtype or "aiplatform" not in str(body.get("role", "")):
            continue
        assert rtype == "google_project_iam_member", f"{rtype}.{name}"
        member = str(body["member"])
        assert "google_service_account.fn[each.key]" in member, f"{rtype}.{name}: {member}"
        holders |= set(for_each_instances(rtype, name))
    return holders


def test_model_calling_functions_use_vertex_ai_and_hold_no_gemini_key() -> None:
    callers = set(config().locals["model_callers"])
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
    [grant] = [body for (rtype, _), body in config().resources.items()
               if rtype == "google_project_iam_member" and "aiplatform" in str(body["role"])]
    assert grant["role"] == "roles/aiplatform.user"


def test_the_vertex_ai_api_is_enabled_and_the_default_models_are_current() -> None:
    services = {str(body.get("service")) for body in of_type("google_project_service").values()}
    enabled = services | set(string_list(of_type("google_project_service")["api"]["for_each"],
                                         None))
    assert "aiplatform.googleapis.com" in enabled
    variables = {name: body for block in _parse(TF_DIR / "variables.tf")["variable"]
                 for name, body in block.items()}
    assert variables["gemini_model"]["default"] == Settings().gemini_model
    assert variables["gemini_tts_model"]["default"] == Settings().gemini_tts_model
    assert variables["gemini_location"]["default"] == Settings().gemini_location
    for model in ("gemini_model", "gemini_tts_model"):
        assert "preview" not in variables[model]["default"]


# (d) public exposure


def publicly_invocable() -> set[str]:
    """Entry points bound to allUsers/allAuthenticatedUsers by any invoker IAM resource."""
    by_resource = functions_by_resource_name()
    public: set[str] = set()
    for (rtype, name), body in config().resources.items():
        if rtype not in INVOKER_IAM_TYPES:
            continue
        members = body.get("members", [body.get("member")])
        if not PUBLIC_PRINCIPALS & set(members):
            continue
        target = expression(body.get("for_each"))
        indexed = _INDEXED_REF.match(
            expression(body.get("service") or body.get("cloud_function") or "") or ""
        )
        if target and (ref := _RESOURCE_REF.match(target)):
            assert ref["type"] == "google_cloudfunctions2_function", f"{rtype}.{name}"
            public |= by_resource[ref["name"]]
        elif indexed:
            public.add(indexed["key"])
        else:
            raise AssertionError(f"cannot resolve which function {rtype}.{name} opens")
    return public


def test_only_webhooks_are_public() -> None:
    assert publicly_invocable() == WEBHOOKS
    for fn in functions():
        if fn.entry_point in WEBHOOKS:
            assert fn.ingress == "ALLOW_ALL", f"{fn.resource}: LINE/Telegram cannot reach it"
        else:
            assert fn.ingress in INTERNAL_INGRESS, f"{fn.resource} is reachable from internet"


# (e) storage


def test_buckets_are_private() -> None:
    buckets = of_type("google_storage_bucket")
    assert buckets
    for name, body in buckets.items():
        assert body.get("public_access_prevention") == "enforced", name
        assert body.get("uniform_bucket_level_access") is True, name
    for (rtype, name), body in config().resources.items():
        if rtype.startswith("google_storage_bucket_iam"):
            members = set(body.get("members", [body.get("member")]))
            assert PUBLIC_PRINCIPALS & members == set(), f"{rtype}.{name} is public"


def test_bucket_lifecycle_deletes_audio_and_archive() -> None:
    prefixes: set[str] = set()
    for body in of_type("google_storage_bucket").values():
        for rule in body.get("lifecycle_rule", []):
            if block(rule, "action")["type"] == "Delete":
                prefixes.update(block(rule, "condition").get("matches_prefix", []))
    assert {"audio/", "archive/"} <= prefixes


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
    return constants


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


def _collection(
    node: ast.expr, scope: ast.AST, constants: dict[str, str], *, doc: bool
) -> str | None:
    """Collection named by a document path (doc=True, "c/<id>") or a collection path."""
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
    for name, body in of_type("google_firestore_field").items():
        if "ttl_config" not in body:
            continue
        for instance in for_each_instances("google_firestore_field", name).items():
            assert string_value(body["field"], instance) == "expires_at", name
            found.add(string_value(body["collection"], instance))
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
    for body in of_type("google_firestore_index").values():
        fields = [str(f["field_path"]) for f in body.get("fields", [])]
        out.setdefault(str(body["collection"]), []).append(fields)
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


def test_due_doses_query_needs_only_the_automatic_single_field_index() -> None:
    due = [q for q in code_queries() if q.collection == "doses" and "next_due_at" in q.ranged]
    assert due, "the reminder tick's due-doses query was not found"
    assert not any(needs_composite(q) for q in due)
