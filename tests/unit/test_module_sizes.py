"""Modules stay small enough for a reader to hold in mind (issue 10): none in shared/ or
functions/ over 400 lines, none in infra/local/ over 600. A module that grows past it is
split by what it does (e.g. medication/drafts.py out of the parser, fakes/telegram_rules.py
out of the platform rules, infrastructure.py out of bootstrap)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sizes(folder: str) -> dict[str, int]:
    base = ROOT / folder
    return {str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
            for path in base.rglob("*.py")}


@pytest.mark.parametrize(("folder", "max_lines", "deep_module"), [
    ("shared", 400, "shared/features/medication/model.py"),
    ("functions", 400, "functions/_http.py"),
    ("infra/local", 600, "infra/local/platforms/state.py"),
])
def test_no_module_is_over_its_size(folder: str, max_lines: int, deep_module: str) -> None:
    found = sizes(folder)
    assert deep_module in found  # the walk reaches the packages
    assert {name: n for name, n in found.items() if n > max_lines} == {}
