"""The `servicenorm` command in the test process, or as the installed script.

Starting the installed script costs a Python start and the imports (about a second of CPU on
CI, several under load) for every case; the CLI tests used to be a third of the suite's time.
`run_cli` runs the very function the script calls (`servicenorm.cli.main`, its `run_guarded`
included) with the arguments, environment, working directory and standard streams of that
one call, and answers what `subprocess.run(..., capture_output=True)` would: the exit status
(`SystemExit`'s code as the interpreter turns it into one; an exception that escapes is
printed with its traceback on stderr and is status 1, as in a process), stdout and stderr
captured apart, as text (universal newlines) or as bytes.

What only a real process shows (the entry point is installed, the status the OS sees, the
two streams really separate file descriptors) stays tested through `run_installed`: each
command keeps one such test next to its in-process cases.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, overload

SERVICENORM = Path(sys.executable).parent / "servicenorm"
TERMINAL = {"COLUMNS": "120", "NO_COLOR": "1"}  # what every CLI test runs the command with


def _exit_status(code: object, stderr: io.TextIOWrapper) -> int:
    """The status a process exits with after `sys.exit(code)` (CPython's handle_system_exit)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=stderr)
    return 1


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    for k in set(os.environ) - set(env):
        del os.environ[k]
    os.environ.update(env)
    try:
        yield
    finally:
        for k in set(os.environ) - set(saved):
            del os.environ[k]
        os.environ.update(saved)


def _text(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@overload
def run_cli(
    *args: str,
    env: Mapping[str, str] | None = ...,
    cwd: Path | None = ...,
    input: bytes | str | None = ...,
    text: Literal[True] = ...,
) -> subprocess.CompletedProcess[str]: ...


@overload
def run_cli(
    *args: str,
    env: Mapping[str, str] | None = ...,
    cwd: Path | None = ...,
    input: bytes | str | None = ...,
    text: Literal[False],
) -> subprocess.CompletedProcess[bytes]: ...


def run_cli(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    input: bytes | str | None = None,
    text: bool = True,
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    """`servicenorm ARGS` in this process; `env` is the whole environment (default: this
    process's plus TERMINAL), as `subprocess.run(env=...)` takes it."""
    from servicenorm.cli import main
    from servicenorm.policy import stored

    raw = input.encode("utf-8") if isinstance(input, str) else (input or b"")
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", write_through=True)
    saved = (sys.argv, sys.stdin, sys.stdout, sys.stderr, os.getcwd(), stored._active)
    argv = [str(SERVICENORM), *args]
    try:
        with _environment({**os.environ, **TERMINAL} if env is None else env):
            if cwd is not None:
                os.chdir(cwd)
            sys.argv, sys.stdin, sys.stdout, sys.stderr = argv, stdin, out, err
            try:
                main()
                status = 0
            except SystemExit as exited:
                status = _exit_status(exited.code, err)
            except Exception:
                traceback.print_exc(file=err)
                status = 1
            out.flush()
            err.flush()
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved[:4]
        os.chdir(saved[4])
        stored.use_policies(saved[5])  # a command's bootstrap installs its own policy cache
    o, e = out_bytes.getvalue(), err_bytes.getvalue()
    if text:
        return subprocess.CompletedProcess(argv, status, _text(o), _text(e))
    return subprocess.CompletedProcess(argv, status, o, e)


def run_installed(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`servicenorm ARGS` as the installed script, in its own process."""
    return subprocess.run(
        [str(SERVICENORM), *args],
        capture_output=True,
        text=True,
        input=input,
        env={**os.environ, **TERMINAL} if env is None else env,
        cwd=cwd,
        timeout=timeout,
    )
