"""The norms are listed in one place: no module but the registry holds a list of norm slugs
or branches on a norm's name.

Metric slugs share names with norms (`first_response` is both a metric of the report and a
norm), so the metric layer that defines and reports metrics may name them; everywhere else a
collection of two or more norm slugs, or a comparison of a `.norm` with a slug, is a second
hand-written norm list."""

from __future__ import annotations

import ast
from pathlib import Path

from servicenorm.metrics import REGISTRY as METRICS
from servicenorm.norms import NORMS

PACKAGE = Path(__file__).resolve().parents[2] / "servicenorm"
REGISTRY = PACKAGE / "norms"
# they name metrics (the report's keys, the evaluate command's columns), not norms
METRIC_LAYER = {
    PACKAGE / "metrics" / "definitions.py",
    PACKAGE / "metrics" / "report.py",
    PACKAGE / "cli" / "evaluate.py",
    PACKAGE / "helpdesk" / "performance.py",  # the same report built from the live store
    PACKAGE / "helpdesk" / "tally.py",  # its figures, counted from aggregates and open items
    PACKAGE / "metrics" / "evidence.py",  # evaluate --out: the response metrics' item tables
}
# norm-specific e-mails (the weekly alert, the question-rate notice): enforcement's
# notification choices, keyed by norm; they read figures from the registry's findings
NOTIFICATIONS = {PACKAGE / "enforce" / "apply.py"}
ONLY_NORMS = {s for s in NORMS if s not in METRICS}  # no metric has these names


def _slugs(node: ast.AST) -> set[str]:
    elts: list[ast.expr] = []
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        elts = list(node.elts)
    elif isinstance(node, ast.Dict):
        elts = [k for k in node.keys if k is not None]
    return {e.value for e in elts if isinstance(e, ast.Constant) and e.value in NORMS}


def _norm_branch(node: ast.AST) -> bool:
    """`f.norm == "slug"`, `row.norm in ("a", "b")`: a finding's or a row's norm by name."""
    if not isinstance(node, ast.Compare):
        return False
    left = node.left
    if not (isinstance(left, ast.Attribute) and left.attr == "norm"):
        return False
    for c in node.comparators:
        if isinstance(c, ast.Constant) and c.value in NORMS:
            return True
        if _slugs(c):
            return True
    return False


def _metric_tests(tree: ast.AST) -> set[int]:
    """Containers compared with a `metric` (metric slugs, not norms): their node ids."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            left = node.left
            name = left.id if isinstance(left, ast.Name) else getattr(left, "attr", "")
            if name == "metric":
                out.update(id(c) for c in node.comparators)
    return out


def offences() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if REGISTRY in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(PACKAGE.parent)
        metric_tests = _metric_tests(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in ONLY_NORMS:
                out.append(f"{rel}:{getattr(node, 'lineno', 0)} names the norm {node.value!r}")
            if path in METRIC_LAYER:
                continue
            found = _slugs(node)
            if len(found) >= 2 and id(node) not in metric_tests:
                out.append(f"{rel}:{getattr(node, 'lineno', 0)} lists norms {sorted(found)}")
            if path not in NOTIFICATIONS and _norm_branch(node):
                out.append(f"{rel}:{getattr(node, 'lineno', 0)} branches on a norm's name")
    return out


def test_no_module_but_the_registry_lists_norms() -> None:
    assert offences() == []


def test_the_check_would_see_a_hand_written_list(tmp_path: Path) -> None:
    tree = ast.parse('X = ["first_response", "phone"]\nif f.norm == "weekly_late": pass\n')
    assert not _metric_tests(tree)
    nodes = list(ast.walk(tree))
    assert any(len(_slugs(n)) >= 2 for n in nodes)
    assert any(_norm_branch(n) for n in nodes)
