"""One clear line on stderr and exit status 2 for bad input, never a traceback."""

from __future__ import annotations

import sys

import typer


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


def fail(message: str) -> typer.Exit:
    typer.echo(f"servicenorm: error: {message}", err=True)
    return typer.Exit(2)


def _click_exceptions() -> tuple[tuple[type[Exception], ...], tuple[type[BaseException], ...]]:
    """Click's exception classes: typer may raise its vendored copies or click's own."""
    usage: list[type[Exception]] = []
    abort: list[type[BaseException]] = []
    for mod in ("typer._click.exceptions", "click.exceptions"):
        try:
            m = __import__(mod, fromlist=["ClickException", "Abort"])
        except ImportError:
            continue
        usage.append(m.ClickException)
        if hasattr(m, "Abort"):
            abort.append(m.Abort)
    abort.append(typer.Abort)
    return tuple(usage), tuple(abort)


_USAGE, _ABORT = _click_exceptions()


def run_guarded(app: typer.Typer) -> None:
    try:
        app(standalone_mode=False)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except _USAGE as e:
        e.show()  # type: ignore[attr-defined]
        sys.exit(getattr(e, "exit_code", 2) or 0)
    except _ABORT:
        sys.exit(130)
    except (UsageError, ValueError, KeyError, FileNotFoundError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
        typer.echo(f"servicenorm: error: {msg}", err=True)
        sys.exit(2)
