"""One clear line on stderr and exit status 2 for bad input, never a traceback."""

from __future__ import annotations

import sys

import typer


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


def fail(message: str) -> typer.Exit:
    typer.echo(f"servicenorm: error: {message}", err=True)
    return typer.Exit(2)


def run_guarded(app: typer.Typer) -> None:
    try:
        app(standalone_mode=False)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (UsageError, ValueError, KeyError, FileNotFoundError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else str(e)
        typer.echo(f"servicenorm: error: {msg}", err=True)
        sys.exit(2)
    except Exception as e:  # click's own usage errors
        import click

        if isinstance(e, click.exceptions.ClickException):
            e.show()
            sys.exit(2)
        if isinstance(e, click.exceptions.Abort):
            sys.exit(130)
        raise
