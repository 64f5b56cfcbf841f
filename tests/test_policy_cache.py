"""The one policy cache (`policy.stored.PolicyFiles`, built by the composition root): a file
of the policy directory is parsed once per version and read again when it changes, so an
operator's edit takes effect without a restart (issue 15 item 4)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from servicenorm.policy import stored
from servicenorm.policy.stored import PolicyFiles, UnknownPreset, policy_for, use_policies

BOL = Path(__file__).parents[1] / "servicenorm/policy/presets/bol.toml"


def write(path: Path, title: str, mtime_ns: int) -> None:
    path.write_text(BOL.read_text().replace('title = "', f'title = "{title}: ', 1))
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_changed_file_is_read_again_an_unchanged_one_is_not(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    write(mine, "First", 1_700_000_000_000_000_000)
    files = PolicyFiles(tmp_path)
    first = files.get("mine.toml")
    assert first.title.startswith("First: ")
    assert files.get("mine.toml") is first  # unchanged: the parsed policy is kept

    write(mine, "Second", 1_700_000_000_000_000_000)  # same time, another size
    assert files.get("mine.toml").title.startswith("Second: ")
    write(mine, "Thirds", 1_700_000_001_000_000_000)  # same size, a later time
    assert files.get("mine.toml").title.startswith("Thirds: ")


def test_a_file_that_breaks_or_goes_is_refused_not_served_from_the_cache(tmp_path: Path) -> None:
    mine = tmp_path / "mine.toml"
    write(mine, "Kept", 1_700_000_000_000_000_000)
    files = PolicyFiles(tmp_path)
    files.get("mine.toml")
    mine.write_text("[[[")
    with pytest.raises(UnknownPreset, match="not a valid policy"):
        files.get("mine.toml")
    mine.unlink()
    with pytest.raises(UnknownPreset, match="unknown preset"):
        files.get("mine.toml")


def test_policy_for_reads_through_the_installed_cache(tmp_path: Path) -> None:
    write(tmp_path / "mine.toml", "Installed", 1_700_000_000_000_000_000)
    before = stored._active  # what an earlier test's bootstrap installed
    try:
        use_policies(PolicyFiles())
        with pytest.raises(UnknownPreset):
            policy_for("mine.toml")
        use_policies(PolicyFiles(tmp_path))
        assert policy_for("mine.toml").title.startswith("Installed: ")
        assert policy_for("bol").name == "bol"
    finally:
        use_policies(before)
