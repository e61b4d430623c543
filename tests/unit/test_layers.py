"""The layers of the house, checked on the import statements of shared/ and functions/:
no import runs back up (domain knows no plumbing, plumbing knows no feature, nothing
but bootstrap and the adapters themselves imports an adapter), and no module imports
itself back through others."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What each layer may import from shared (besides itself). Adapters, fakes and
# bootstrap are the only ones that may know SDKs or wire things together.
ALLOWED: dict[str, set[str]] = {
    "domain": {"jobs"},
    "medication": {"domain"},  # the deterministic parser
    "ports": {"domain"},
    "wire": {"domain", "ports"},
    "jobs": set(),
    "plumbing": {"domain", "jobs", "ports", "clock", "log", "settings", "runtime"},
    "features": {"domain", "jobs", "ports", "plumbing", "medication", "log"},
    "fakes": {"domain", "ports", "wire", "jobs"},
    "adapters": {"domain", "ports", "wire", "jobs", "clock", "log", "runtime"},
    "functions": {"bootstrap", "log", "plumbing", "jobs"},
}


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted([*(ROOT / "shared").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]):
        parts = path.relative_to(ROOT).with_suffix("").parts
        yield ".".join(p for p in parts if p != "__init__"), path


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[0] if parts[0] == "functions" else parts[1] if len(parts) > 1 else ""


def imports(path: Path, *, top_level_only: bool = False) -> Iterator[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:  # "from shared.plumbing import ordering"
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_import_runs_back_up_the_layers():
    wrong = []
    for module, path in modules():
        mine = layer(module)
        if mine not in ALLOWED:
            continue  # bootstrap, settings, log, clock: the wiring and the basics
        for target in imports(path):
            if target.startswith("shared.") and layer(target) not in {mine, *ALLOWED[mine]}:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_adapters_are_imported_only_by_bootstrap_and_each_other():
    # bootstrap = shared/bootstrap.py and the adapters it chooses (shared/infrastructure.py)
    importers = {module for module, path in modules()
                 if any(t.startswith("shared.adapters") for t in imports(path))}
    wiring = {"shared.bootstrap", "shared.infrastructure"}
    assert {m for m in importers if layer(m) != "adapters"} == wiring


def test_no_module_imports_itself_back():
    known = dict(modules())
    graph: dict[str, set[str]] = {}
    for module, path in known.items():
        targets = {t for t in imports(path, top_level_only=True) if t in known}
        # "from package import submodule" imports the submodule, not the package back.
        graph[module] = {t for t in targets
                         if not any(o.startswith(f"{t}.") for o in targets)}
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            module, trail = stack.pop()
            for target in graph[module]:
                if target == start:
                    cycles.append(" -> ".join([*trail, start]))
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, [*trail, target]))
    assert cycles == []


def test_the_readme_layout_names_every_package():
    """README's code layout matches the tree: every package of shared/ and every
    feature has its line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("Code layout:"):readme.index("## Adding a feature")]
    packages = [p.name for p in (ROOT / "shared").iterdir()
                if p.is_dir() and (p / "__init__.py").exists()]
    features = [p.name for p in (ROOT / "shared/features").iterdir()
                if (p / "__init__.py").exists()]
    assert packages and features
    assert [p for p in packages if f"shared/{p}/" not in layout] == []
    assert [f for f in features if f"  {f}/ " not in layout] == []
