"""The `servicenorm` command line (Typer). Each command family lives in its own module."""

from __future__ import annotations

import typer

from servicenorm.cli import accounts as accounts_cmd
from servicenorm.cli import calendar as calendar_cmd
from servicenorm.cli import decisions as decisions_cmd
from servicenorm.cli import demo as demo_cmd
from servicenorm.cli import enforce as enforce_cmd
from servicenorm.cli import evaluate as evaluate_cmd
from servicenorm.cli import moderate as moderate_cmd
from servicenorm.cli import policy as policy_cmd
from servicenorm.cli import queue as queue_cmd
from servicenorm.cli import serve as serve_cmd
from servicenorm.cli.errors import run_guarded

app = typer.Typer(
    name="servicenorm",
    help="Customer-service standards for online marketplaces: working-time clocks, "
    "seller metrics with evidence, policies and enforcement.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(accounts_cmd.app, name="accounts")
app.add_typer(calendar_cmd.app, name="calendar")
app.add_typer(demo_cmd.app, name="demo")
app.add_typer(policy_cmd.app, name="policy")
app.command("evaluate")(evaluate_cmd.evaluate)
app.command("explain")(evaluate_cmd.explain)
app.command("serve")(serve_cmd.serve)
app.command("queue")(queue_cmd.queue)
app.command("run-demo")(demo_cmd.run_demo)
app.command("moderate")(moderate_cmd.moderate_command)
enforce_cmd.register(app)
decisions_cmd.register(app, enforce_cmd.app)


def main() -> None:
    run_guarded(app)
