"""The local stack stays in modules a reader can hold in mind (issue 10: none in
infra/local/ over 600 lines); a module that grows past it is split by what it plays."""

from __future__ import annotations

from pathlib import Path

LOCAL = Path(__file__).resolve().parents[2] / "infra" / "local"
MAX_LINES = 600


def test_no_local_stack_module_is_over_600_lines() -> None:
    sizes = {str(path.relative_to(LOCAL)): len(path.read_text(encoding="utf-8").splitlines())
             for path in LOCAL.rglob("*.py")}
    assert "platforms/state.py" in sizes  # the walk reaches the packages
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
