"""The contract's golden examples (tests/contract/examples; the contract itself is in
docs/contract/). Both are copies of the project's shared contract folder, kept identical by
tests/test_contract_copy.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "contract" / "examples"
DOCS = ROOT / "docs" / "contract"
NAMES = ("bol", "etsy", "swopify")


def example(name: str) -> tuple[Path, dict[str, str], dict[str, Any]]:
    d = EXAMPLES / name
    return (
        d / "events.jsonl",
        json.loads((d / "args.json").read_text()),
        json.loads((d / "expected.json").read_text()),
    )


def assert_report_equal(got: Any, want: Any, path: str = "report") -> None:
    """Exact equality, except rates and averages which may differ by 1e-4 (contract)."""
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{path}: expected an object, got {got!r}"
        assert set(got) == set(want), f"{path}: keys differ: {sorted(set(got) ^ set(want))}"
        for k in want:
            assert_report_equal(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, float) or isinstance(got, float):
        assert got is not None and want is not None, f"{path}: {got!r} != {want!r}"
        assert abs(got - want) <= 1e-4, f"{path}: {got!r} != {want!r}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"
