"""`servicenorm accounts`: the deployment's accounts and API tokens from the command line:
list them, revoke a token, deactivate an account (any role). Runs against the configured
database as the deployment's operator; a revoked token or deactivated account stops working
at once on every server (each request checks it in the database)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, TypeVar

import typer
from sqlalchemy.orm import Session

from servicenorm.access.principal import Principal

app = typer.Typer(help="Accounts and API tokens: list, revoke a token, deactivate an account.")
CLI = Principal(account_id="cli", role="operator", name="command line")
T = TypeVar("T")


@contextmanager
def _session() -> Iterator[Session]:
    from servicenorm.bootstrap import bootstrap
    from servicenorm.settings import Settings

    container = bootstrap(Settings())
    try:
        with container.sessions() as s:
            yield s
    finally:
        container.engine.dispose()


def _run(work: Callable[[Session, datetime], T]) -> T:
    from servicenorm.access.errors import DomainError
    from servicenorm.bootstrap import current_instant

    try:
        with _session() as s:
            out = work(s, current_instant())
            s.commit()
            return out
    except DomainError as e:
        raise ValueError(e.message) from None


@app.command("list")
def list_accounts(
    role: Annotated[
        str | None, typer.Option(help="only this role: operator, agent, seller, staff, buyer")
    ] = None,
) -> None:
    """Every account: id, role, active, name and scope."""
    from sqlalchemy import select

    from servicenorm.store.tables import ROLES, Account

    if role is not None and role not in ROLES:
        raise ValueError(f"--role {role!r}: one of {', '.join(ROLES)}")

    def rows(s: Session, _now: datetime) -> list[Account]:
        q = select(Account).order_by(Account.created_at, Account.id)
        return list(s.scalars(q if role is None else q.where(Account.role == role)))

    for a in _run(rows):
        scope = a.marketplace_id or a.seller_id or a.buyer_id or "(deployment)"
        state = "active" if a.active else "deactivated"
        typer.echo(f"{a.id}\t{a.role}\t{state}\t{a.name}\t{scope}")


@app.command("tokens")
def tokens(account: Annotated[str, typer.Argument(help="the account's id")]) -> None:
    """The account's API tokens: id, prefix, created, revoked (never their values)."""
    from servicenorm.helpdesk.accounts import tokens_of

    for t in _run(lambda s, _now: tokens_of(s, CLI, account)):
        revoked = t.revoked_at.isoformat() if t.revoked_at else "active"
        typer.echo(f"{t.id}\t{t.prefix}...\t{t.created_at.isoformat()}\t{revoked}")


@app.command("revoke-token")
def revoke_token(
    account: Annotated[str, typer.Argument(help="the account's id")],
    token: Annotated[str, typer.Argument(help="the token's id (servicenorm accounts tokens)")],
) -> None:
    """Revoke one token: it and the page sessions opened with it stop working at once."""
    from servicenorm.helpdesk.accounts import revoke_token as revoke

    t = _run(lambda s, now: revoke(s, CLI, account, token, now))
    typer.echo(f"token {t.id} ({t.prefix}...) of account {t.account_id} is revoked")


@app.command("deactivate")
def deactivate(account: Annotated[str, typer.Argument(help="the account's id")]) -> None:
    """Deactivate an account of any role: every token revoked, every page session ended."""
    from servicenorm.helpdesk.accounts import deactivate_account

    a = _run(lambda s, now: deactivate_account(s, CLI, account, now))
    typer.echo(f"account {a.id} ({a.role} {a.name}) is deactivated; its tokens are revoked")
