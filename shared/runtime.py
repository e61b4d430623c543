"""Per-function runtime settings, read from shared/runtime.json.

That file is the one table of timeouts, concurrency, threads, memory, task leases and
dispatch deadlines: Terraform reads it too (infra/terraform/locals.tf), so the numbers
the code relies on (a lease that ends soon after the function's timeout, a dispatch
deadline that outlasts it) are the numbers deployed. Read on first use, not at import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from shared.jobs import WORKERS, Job

TABLE_PATH = Path(__file__).with_name("runtime.json")

Caller = Literal["platform", "tasks", "scheduler"]


@dataclass(frozen=True)
class FunctionRuntime:
    name: str
    caller: Caller
    memory: str
    cpu: str
    timeout_s: int
    concurrency: int
    threads: int
    lease_s: int | None
    dispatch_deadline_s: int | None

    @property
    def public(self) -> bool:
        """Called from the internet (the chat platforms), not by Google Cloud."""
        return self.caller == "platform"


@cache
def _table() -> dict[str, Any]:
    with TABLE_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@cache
def functions() -> dict[str, FunctionRuntime]:
    out = {}
    for name, row in _table()["functions"].items():
        out[name] = FunctionRuntime(
            name=name, caller=row["caller"], memory=row["memory"], cpu=row["cpu"],
            timeout_s=int(row["timeout_s"]), concurrency=int(row["concurrency"]),
            threads=int(row["threads"]),
            lease_s=None if row["lease_s"] is None else int(row["lease_s"]),
            dispatch_deadline_s=(None if row["dispatch_deadline_s"] is None
                                 else int(row["dispatch_deadline_s"])),
        )
    return out


def function(name: str) -> FunctionRuntime:
    try:
        return functions()[name]
    except KeyError:
        raise KeyError(f"{name} is not in {TABLE_PATH.name}") from None


def lease_margin_s() -> int:
    return int(_table()["lease_margin_s"])


def lease_s(function_name: str) -> int:
    """The TaskRunner lease of a function that runs one."""
    lease = function(function_name).lease_s
    if lease is None:
        raise ValueError(f"{function_name} runs no TaskRunner ({TABLE_PATH.name})")
    return lease


def job_lease_s(job: Job) -> int:
    return lease_s(WORKERS[job])


def dispatch_deadline_s(job: Job) -> int:
    """Cloud Tasks' dispatch deadline for tasks of this job (its worker's row)."""
    deadline = function(WORKERS[job]).dispatch_deadline_s
    if deadline is None:
        raise ValueError(f"{WORKERS[job]} has no dispatch deadline ({TABLE_PATH.name})")
    return deadline
