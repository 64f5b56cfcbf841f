"""`servicenorm queue --seller S`: the seller's open questions by deadline (R2.9)."""

from __future__ import annotations

from typing import Annotated

import typer

from servicenorm.clock import format_duration, parse_instant


def queue(
    seller: Annotated[str, typer.Option("--seller", help="the seller's id")],
    at: Annotated[
        str | None,
        typer.Option("--at", help="evaluate at this instant (ISO 8601 with offset); default now"),
    ] = None,
    limit: Annotated[int, typer.Option(help="show at most this many questions")] = 100,
    json_out: Annotated[
        bool, typer.Option("--json", help="print JSON lines instead of a table")
    ] = False,
) -> None:
    """Print a seller's open questions ordered by deadline, with working time left and state."""
    import orjson

    from servicenorm.access.errors import DomainError
    from servicenorm.access.principal import Principal
    from servicenorm.bootstrap import bootstrap
    from servicenorm.helpdesk.queue import seller_queue
    from servicenorm.settings import Settings

    container = bootstrap(Settings())
    now = parse_instant(at, "--at") if at else container.clock()
    cli = Principal(account_id="cli", role="operator", name="command line")
    try:
        with container.sessions() as s:
            items = seller_queue(s, cli, seller, now, limit)
    except DomainError as e:
        raise ValueError(e.message) from None
    finally:
        container.engine.dispose()
    if json_out:
        for i in items:
            typer.echo(
                orjson.dumps(
                    {
                        "conversation": i.conversation.id,
                        "buyer": i.conversation.buyer_id,
                        "order": i.conversation.order_id,
                        "deadline": i.deadline.isoformat(),
                        "working_seconds_left": int(i.working_left.total_seconds()),
                        "overdue_working_seconds": int(i.overdue_by.total_seconds()),
                        "state": i.state,
                    }
                ).decode()
            )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"queue of {seller} at {now.isoformat(timespec='seconds')}")
    for col in ("conversation", "buyer", "order", "deadline", "working time left", "state"):
        table.add_column(col)
    for i in items:
        left = (
            format_duration(i.working_left)
            if i.state != "overdue"
            else f"-{format_duration(i.overdue_by)}"
        )
        table.add_row(
            i.conversation.id,
            i.conversation.buyer_id,
            i.conversation.order_id or "",
            i.deadline.isoformat(timespec="seconds"),
            left,
            i.state.replace("_", " "),
        )
    Console(width=140).print(table)
    if not items:
        typer.echo("no open questions")
