"""MedBot's Terraform rendered offline (tests/tfplan.py), for the infrastructure tests:
the plan with an operator's variable values, and the deployed functions as data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tests.tfplan import Block, Instance, Plan, load_tfvars

ROOT = Path(__file__).resolve().parents[1]
TF_DIR = ROOT / "infra" / "terraform"
TFVARS = TF_DIR / "medbot.tfvars"

# What README and Cloud Build pass per deploy besides -var-file=medbot.tfvars.
DEPLOY_VARS: dict[str, Any] = {
    "project": "medbot-prod",
    "source_bucket": "medbot-prod-sources",
    "source_object": "medbot-0123456789abcdef.zip",
}
# The operator's settings: the committed medbot.tfvars, with the one value it leaves for
# the operator to fill in (its placeholder is refused at plan, on purpose).
OPERATOR_VARS: dict[str, Any] = {
    **load_tfvars(TFVARS), **DEPLOY_VARS, "alert_email": "oncall@medbot.example.tw",
}


@cache
def plan() -> Plan:
    return Plan(TF_DIR, OPERATOR_VARS)


def only(blocks: Any) -> Block:
    """The single nested block of a list of blocks."""
    assert isinstance(blocks, list) and len(blocks) == 1, f"expected one block: {blocks!r}"
    first = blocks[0]
    assert isinstance(first, Block)
    return first


@dataclass(frozen=True)
class Function:
    instance: Instance
    entry_point: str
    name: str
    ingress: str
    env: dict[str, Any]
    secret_env: frozenset[str]
    service: Block

    @property
    def resource(self) -> str:
        return self.instance.address


@cache
def functions() -> tuple[Function, ...]:
    found = []
    for instance in plan().of_type("google_cloudfunctions2_function"):
        service = only(instance.config["service_config"])
        found.append(Function(
            instance=instance,
            entry_point=only(instance.config["build_config"])["entry_point"],
            name=instance.config["name"],
            ingress=service.get("ingress_settings", "ALLOW_ALL"),
            env=dict(service.get("environment_variables", {})),
            secret_env=frozenset(b["key"] for b in service.get("secret_environment_variables",
                                                              [])),
            service=service,
        ))
    return tuple(found)


def function(entry_point: str) -> Function:
    [found] = [fn for fn in functions() if fn.entry_point == entry_point]
    return found
