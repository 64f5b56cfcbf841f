"""The policy a marketplace names: a shipped preset's name, or the file name of a policy in
the deployment's policy directory (`Settings.policy_dir`, given to `use_policy_dir` by the
composition root). Nothing else is read: a preset such as `/etc/passwd` or `../x.toml`, from
the API or from an event, is an unknown preset, and the error never quotes a file (issue 11).
The command line reads policy files by path (`load_policy`): its user owns the files."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from servicenorm.policy import PRESETS, Policy, load_preset, policy_from_text

_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\.toml$")
_policy_dir: Path | None = None


def use_policy_dir(directory: Path | None) -> None:
    """Where operators' own policy files live (None: shipped presets only)."""
    global _policy_dir
    _policy_dir = None if directory is None else directory.resolve()


class UnknownPreset(ValueError):
    """A preset that is neither shipped nor a readable policy file in the policy directory."""


def policy_for(preset: str) -> Policy:
    """A shipped preset by name or a policy file of the policy directory (validated at load)."""
    return _load(preset, _policy_dir)


@lru_cache(maxsize=64)
def _load(preset: str, directory: Path | None) -> Policy:
    if preset in PRESETS:
        return load_preset(preset)
    path = None if directory is None or not _FILE_NAME.match(preset) else directory / preset
    if path is None or not path.resolve().is_relative_to(path.parent) or not path.is_file():
        raise UnknownPreset(
            f"unknown preset; give a shipped preset ({', '.join(PRESETS)})"
            + (" or the name of a .toml file in the policy directory" if directory else "")
        )
    try:
        return policy_from_text(path.read_text(encoding="utf-8"), preset)
    except (ValueError, UnicodeDecodeError):  # (what is wrong with it: `servicenorm policy check`)
        raise UnknownPreset(
            f"policy file {preset} in the policy directory is not a valid policy"
        ) from None
