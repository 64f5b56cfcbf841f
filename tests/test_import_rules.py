"""The package's layering, read from the source's imports (docs/architecture.md): the helpdesk
and enforcement share `servicenorm.access` (principal, errors) and the store, and never import
each other, at module level or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "servicenorm"

# package -> packages it must never import
FORBIDDEN = {
    "enforce": ("servicenorm.helpdesk",),
    "helpdesk": ("servicenorm.enforce",),
    "access": ("servicenorm.helpdesk", "servicenorm.enforce", "servicenorm.web"),
}


def imported_modules(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module a file under `root` imports, with its line (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    here = ".".join(path.relative_to(root.parent).with_suffix("").parts)
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here.split(".")[: -node.level]
                base = ".".join([*parent, base] if base else parent)
            out.append((node.lineno, base))
            out.extend((node.lineno, f"{base}.{a.name}") for a in node.names)
    return sorted(out)


def violations(package: str, forbidden: tuple[str, ...], root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted((root / package).rglob("*.py")):
        for line, module in imported_modules(path, root):
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root.parent)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_keeps_to_its_layer(package: str) -> None:
    assert violations(package, FORBIDDEN[package]) == []


def test_the_scan_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    root = tmp_path / "servicenorm"
    (root / "enforce").mkdir(parents=True)
    (root / "enforce" / "probe.py").write_text(
        "import servicenorm.clock\n"
        "def f():\n    from servicenorm.helpdesk import conversations\n"
        "from ..helpdesk.queue import x\n",
        encoding="utf-8",
    )
    assert violations("enforce", FORBIDDEN["enforce"], root) == [
        "servicenorm/enforce/probe.py:3 imports servicenorm.helpdesk",
        "servicenorm/enforce/probe.py:3 imports servicenorm.helpdesk.conversations",
        "servicenorm/enforce/probe.py:4 imports servicenorm.helpdesk.queue",
        "servicenorm/enforce/probe.py:4 imports servicenorm.helpdesk.queue.x",
    ]
