"""The policy a marketplace names: a shipped preset's name, or the file name of a policy in
the deployment's policy directory (`Settings.policy_dir`). Nothing else is read: a preset such
as `/etc/passwd` or `../x.toml`, from the API or from an event, is an unknown preset, and the
error never quotes a file (issue 11). The command line reads policy files by path
(`load_policy`): its user owns the files.

`PolicyFiles` is the one policy cache of a process: the composition root
(`servicenorm.bootstrap`) builds it from the settings and installs it (`use_policies`), and
`policy_for` reads through it. A file is parsed again only when its modification time or size
changed, so an operator's edit takes effect at the next call, without a restart.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from servicenorm.policy import PRESETS, Policy, load_preset, policy_from_text

_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}\.toml$")


class UnknownPreset(ValueError):
    """A preset that is neither shipped nor a readable policy file in the policy directory."""


@dataclass
class PolicyFiles:
    """Shipped presets and the policy files of `directory` (None: shipped presets only), each
    file parsed once per version (its modification time in nanoseconds and its size)."""

    directory: Path | None = None
    _parsed: dict[str, tuple[tuple[int, int], Policy]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.directory is not None:
            self.directory = self.directory.resolve()

    def get(self, preset: str) -> Policy:
        if preset in PRESETS:
            return load_preset(preset)
        path = self._path(preset)
        try:
            st = path.stat()
        except OSError:
            raise self._unknown() from None
        version = (st.st_mtime_ns, st.st_size)
        with self._lock:
            hit = self._parsed.get(preset)
        if hit is not None and hit[0] == version:
            return hit[1]
        try:
            policy = policy_from_text(path.read_text(encoding="utf-8"), preset)
        except (OSError, ValueError, UnicodeDecodeError):  # `servicenorm policy check` says why
            raise UnknownPreset(
                f"policy file {preset} in the policy directory is not a valid policy"
            ) from None
        with self._lock:
            self._parsed[preset] = (version, policy)
        return policy

    def _path(self, preset: str) -> Path:
        d = self.directory
        path = None if d is None or not _FILE_NAME.match(preset) else d / preset
        if path is None or not path.resolve().is_relative_to(path.parent) or not path.is_file():
            raise self._unknown()
        return path

    def _unknown(self) -> UnknownPreset:
        return UnknownPreset(
            f"unknown preset; give a shipped preset ({', '.join(PRESETS)})"
            + (" or the name of a .toml file in the policy directory" if self.directory else "")
        )


_active = PolicyFiles()


def use_policies(policies: PolicyFiles) -> None:
    """Make `policies` the process's policy cache (the composition root does this once)."""
    global _active
    _active = policies


def policy_for(preset: str) -> Policy:
    """A shipped preset by name or a policy file of the policy directory (validated at load)."""
    return _active.get(preset)
