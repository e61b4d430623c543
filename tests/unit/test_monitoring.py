"""Log-based metrics read what the code logs: every message and field named in
local.log_contract (infra/terraform/locals.tf) is emitted by shared/ exactly so, and
every metric has an alert policy."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
TF = ROOT / "infra" / "terraform"


def unquote(value: Any) -> str:
    return str(value).strip('"')


@cache
def log_contract() -> dict[str, str]:
    with (TF / "locals.tf").open() as f:
        for block in hcl2.load(f)["locals"]:
            if "log_contract" in block:
                return {k: unquote(v) for k, v in block["log_contract"].items()}
    raise AssertionError("local.log_contract not found")


def resources(kind: str) -> dict[str, dict[str, Any]]:
    with (TF / "monitoring.tf").open() as f:
        blocks = hcl2.load(f)["resource"]
    found: dict[str, dict[str, Any]] = {}
    for block in blocks:
        for rtype, named in block.items():
            if unquote(rtype) == kind:
                found.update({unquote(n): body for n, body in named.items()})
    return found


def logger_name(path: Path, tree: ast.Module) -> str:
    """The name a module logs under (jsonPayload.logger): logging.getLogger("literal")
    when it names one, else the module's own dotted name (getLogger(__name__))."""
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute)
                and node.value.func.attr == "getLogger" and node.value.args
                and isinstance(node.value.args[0], ast.Constant)):
            return str(node.value.args[0].value)
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def log_calls() -> list[tuple[str, str, str, set[str]]]:
    """(logger, level, message, extra keys) of every log.<level>("literal", ...) in shared/."""
    calls = []
    for path in (ROOT / "shared").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = logger_name(path, tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "log"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            keys: set[str] = set()
            for kw in node.keywords:
                if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
                    keys |= {str(k.value) for k in kw.value.keys if isinstance(k, ast.Constant)}
            calls.append((module, node.func.attr, str(node.args[0].value), keys))
    return calls


def test_reminder_sent_is_logged_with_lateness_s() -> None:
    message = log_contract()["reminder_sent"]
    matches = [c for c in log_calls() if c[2] == message]
    assert matches, f"nothing logs {message!r}"
    assert all("lateness_s" in keys for *_, keys in matches)
    filter_ = resources("google_logging_metric")["reminder_lateness"]["filter"]
    assert "jsonPayload.lateness_s" in filter_


def test_line_push_is_logged_by_the_line_adapter() -> None:
    message = log_contract()["line_push"]
    assert any(module == "shared.adapters.line_messenger" and text == message
               for module, _, text, _ in log_calls())


def test_gemini_failures_are_warnings_of_the_gemini_logger_starting_with_the_model() -> None:
    module = log_contract()["gemini_logger"]
    warnings = [text for mod, level, text, _ in log_calls()
                if mod == module and level in ("warning", "error")]
    assert warnings, f"{module} logs no warnings"
    extractor = resources("google_logging_metric")["gemini_failures"]["label_extractors"]
    assert "^gemini ([^ ]+) " in str(extractor).replace("\\\\", "\\")
    assert all(re.match(r"^gemini %s ", text) for text in warnings)


def test_every_metric_has_an_alert_policy() -> None:
    metrics = set(resources("google_logging_metric"))
    alerted = {m for m in metrics for policy in resources("google_monitoring_alert_policy").values()
               if f"google_logging_metric.{m}.name" in str(policy)
               or str(policy.get("for_each")) == f"${{google_logging_metric.{m}}}"}
    assert metrics == {"function_errors", "reminder_lateness", "gemini_failures", "line_pushes",
                       "gemini_operator"}
    assert alerted == metrics


def outcomes_logged(module: str) -> set[tuple[str, str]]:
    """(level, jsonPayload.outcome) of the log calls under one logger name."""
    trees = [tree for path in (ROOT / "shared").rglob("*.py")
             if logger_name(path, tree := ast.parse(path.read_text(encoding="utf-8"))) == module]
    assert trees, f"no module logs as {module}"
    found = set()
    for node in (n for tree in trees for n in ast.walk(tree)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "log"):
            continue
        for kw in node.keywords:
            if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
                for key, value in zip(kw.value.keys, kw.value.values, strict=True):
                    if (isinstance(key, ast.Constant) and key.value == "outcome"
                            and isinstance(value, ast.Constant)):
                        found.add((node.func.attr, str(value.value)))
    return found


def test_operator_alerts_read_outcomes_the_gemini_adapter_logs_at_error() -> None:
    contract = log_contract()
    logged = outcomes_logged(contract["gemini_logger"])
    for name in ("model_not_found", "daily_quota"):
        assert ("error", contract[name]) in logged, name
    metric = resources("google_logging_metric")["gemini_operator"]
    assert "jsonPayload.outcome" in str(metric["filter"])
    assert set(metric["for_each"]) == {"model_not_found", "daily_quota"}
