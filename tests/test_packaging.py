"""`make demo` installs only the runtime dependencies: every library the product imports must be
one of them (a test-only package would work in `make test` and break `make demo`)."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"bot", "adapters", "storage", "prompts", "benchmarks", "tests"}


def imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "adapters", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return found - OURS - set(sys.stdlib_module_names)


def declared_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {re.split(r"[<>=\[ ;]", spec)[0].lower().replace("_", "-") for spec in project["dependencies"]}


def test_every_library_the_product_imports_is_a_runtime_dependency() -> None:
    owners = packages_distributions()
    declared = declared_distributions()
    # a library may arrive through a declared one (sqlalchemy through sqlmodel, yaml through pyyaml, …)
    missing = {}
    for module in sorted(imported_top_level_modules()):
        distributions = {d.lower().replace("_", "-") for d in owners.get(module, [])}
        if not distributions & declared:
            missing[module] = sorted(distributions)
    assert missing == {}, f"add these to [project] dependencies in pyproject.toml: {missing}"
