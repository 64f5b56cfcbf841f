"""The repository's copy of the contract is the shared one, byte for byte.

The contract (events.md, report.md) lives in docs/contract/ and its golden examples in
tests/contract/examples/, so a clone runs the golden tests on its own. Where the shared contract
folder sits beside the clone (`../shared/contract`, as on the project's machines and in CI), a
change there that was not copied in fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden import DOCS, EXAMPLES, ROOT

SHARED = ROOT.parent / "shared" / "contract"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def repository_copy() -> dict[str, bytes]:
    docs = {name: data for name, data in _files(DOCS).items()}
    examples = {f"examples/{name}": data for name, data in _files(EXAMPLES).items()}
    return docs | examples


def test_the_repository_holds_the_contract_and_its_examples() -> None:
    files = repository_copy()
    assert {"events.md", "report.md", "examples/README.md"} <= set(files)
    for name in ("bol", "etsy", "swopify"):
        assert {
            f"examples/{name}/{f}" for f in ("args.json", "events.jsonl", "expected.json")
        } <= set(files)


@pytest.mark.skipif(
    not SHARED.is_dir(),
    reason=f"no shared contract folder at {SHARED} to compare the repository's copy with",
)
def test_the_copy_equals_the_shared_contract() -> None:
    shared, ours = _files(SHARED), repository_copy()
    assert sorted(shared) == sorted(ours), "files differ: " + ", ".join(
        sorted(set(shared) ^ set(ours))
    )
    changed = [name for name in shared if shared[name] != ours[name]]
    assert not changed, (
        f"{', '.join(changed)} differ from {SHARED}: copy them into docs/contract/ "
        "(events.md, report.md) and tests/contract/examples/"
    )
