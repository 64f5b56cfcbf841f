"""Accounts and API tokens: creating them (operators, sellers for their staff) and
turning a presented token into a Principal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from servicenorm.access.errors import Forbidden, Invalid, NotFound
from servicenorm.access.principal import Principal, Role, manage_seller
from servicenorm.helpdesk.directory import buyer_row, marketplace_in_scope, seller_row
from servicenorm.helpdesk.roles import require
from servicenorm.helpdesk.tokens import hash_token, new_token
from servicenorm.helpdesk.websessions import end_sessions_of
from servicenorm.store.ids import new_id
from servicenorm.store.tables import Account, ApiToken, Buyer, Seller


def principal_of(account: Account) -> Principal:
    role: Role = account.role  # type: ignore[assignment]  # the CHECK constraint guarantees it
    return Principal(
        account_id=account.id,
        role=role,
        name=account.name,
        marketplace_id=account.marketplace_id,
        seller_id=account.seller_id,
        buyer_id=account.buyer_id,
    )


_ACCOUNTS, _TOKENS = Account.__table__.c, ApiToken.__table__.c
# Core, not ORM: this runs on every request, and an ORM entity load costs several times more
_BY_TOKEN_HASH = (
    select(
        _ACCOUNTS.id,
        _ACCOUNTS.role,
        _ACCOUNTS.name,
        _ACCOUNTS.marketplace_id,
        _ACCOUNTS.seller_id,
        _ACCOUNTS.buyer_id,
    )
    .select_from(ApiToken.__table__.join(Account.__table__, _ACCOUNTS.id == _TOKENS.account_id))
    .where(
        _TOKENS.token_hash == bindparam("h"),
        _TOKENS.revoked_at.is_(None),
        _ACCOUNTS.active.is_(True),
    )
)

# the same rule (an unrevoked token of an active account) as one SQL condition with one
# parameter (`{mark}`: the driver's), for a statement that checks it beside its own reads in
# its own transaction (the message post: `conversations.post_message`)
TOKEN_VALID_SQL = (
    "EXISTS (SELECT 1 FROM api_tokens t JOIN accounts a ON a.id = t.account_id"
    " WHERE t.token_hash = {mark} AND t.revoked_at IS NULL AND a.active)"
)


class TokenRevoked(Exception):
    """The caller's token was revoked, or its account deactivated, since it was cached."""


def principal_for_hash(conn: Connection, token_hash: str) -> Principal | None:
    """The principal of an unrevoked token of an active account, by the token's HMAC."""
    row = conn.execute(_BY_TOKEN_HASH, {"h": token_hash}).first()
    if row is None:
        return None
    acc_id, role, name, marketplace_id, seller_id, buyer_id = row
    return Principal(
        account_id=acc_id,
        role=role,
        name=name,
        marketplace_id=marketplace_id,
        seller_id=seller_id,
        buyer_id=buyer_id,
    )


def authenticate(s: Session, token: str, pepper: str, now: datetime) -> Principal | None:
    return principal_for_hash(s.connection(), hash_token(token, pepper))


def issue_token(
    s: Session, account: Account, pepper: str, now: datetime, token: str | None = None
) -> str:
    token = token or new_token()
    s.add(
        ApiToken(
            id=new_id(),
            account_id=account.id,
            token_hash=hash_token(token, pepper),
            prefix=token[:8],
            created_at=now,
        )
    )
    return token


def _account(
    role: str, name: str, email: str | None, now: datetime, **scope: str | None
) -> Account:
    return Account(
        id=new_id(), role=role, name=name, email=email, active=True, created_at=now, **scope
    )


def create_account(
    s: Session,
    p: Principal,
    role: Role,
    name: str,
    email: str | None,
    *,
    marketplace: str | None,
    seller: str | None,
    buyer: str | None,
    pepper: str,
    now: datetime,
) -> tuple[Account, str]:
    """An operator creates any account within its scope; the token is returned once."""
    require(p, "create sellers, buyers and accounts")
    if role in ("operator", "agent"):
        if seller or buyer:
            raise Invalid(
                f"a {role} account belongs to a marketplace, not a seller or buyer",
                "seller" if seller else "buyer",
            )
        if marketplace is None and p.marketplace_id is not None:
            raise Forbidden("an operator of one marketplace cannot create deployment-wide accounts")
        if marketplace is not None:
            marketplace_in_scope(s, p, marketplace)
        acc = _account(role, name, email, now, marketplace_id=marketplace)
    elif role in ("seller", "staff"):
        if not seller:
            raise Invalid(f"a {role} account needs the seller it works for", "seller")
        sel = s.get(Seller, seller)
        if sel is None or not p.in_marketplace(sel.marketplace_id):
            raise Invalid(f"unknown seller {seller!r}", "seller")
        acc = _account(role, name, email, now, seller_id=seller)
    else:
        if not buyer:
            raise Invalid("a buyer account needs the buyer it is", "buyer")
        b = s.get(Buyer, buyer)
        if b is None or not p.in_marketplace(b.marketplace_id):
            raise Invalid(f"unknown buyer {buyer!r}", "buyer")
        acc = _account(role, name, email, now, buyer_id=buyer)
    s.add(acc)
    s.flush()
    return acc, issue_token(s, acc, pepper, now)


def _visible_account(s: Session, p: Principal, account_id: str) -> Account:
    acc = s.get(Account, account_id)
    if acc is None:
        raise NotFound(f"account {account_id!r} not found")
    if acc.id == p.account_id:
        return acc
    if p.role == "operator":
        if p.marketplace_id is None:
            return acc
        scope = acc.marketplace_id
        if acc.seller_id:
            scope = seller_row(s, acc.seller_id).marketplace_id
        if acc.buyer_id:
            scope = buyer_row(s, acc.buyer_id).marketplace_id
        if scope == p.marketplace_id:
            return acc
    if p.role == "seller" and acc.role == "staff" and acc.seller_id == p.seller_id:
        return acc
    raise NotFound(f"account {account_id!r} not found")


def get_account(s: Session, p: Principal, account_id: str) -> Account:
    return _visible_account(s, p, account_id)


def new_token_for(
    s: Session, p: Principal, account_id: str, pepper: str, now: datetime
) -> tuple[Account, str]:
    acc = _visible_account(s, p, account_id)
    if not acc.active:
        raise Invalid("the account is deactivated", "account")
    return acc, issue_token(s, acc, pepper, now)


def create_staff(
    s: Session,
    p: Principal,
    seller_id: str,
    name: str,
    email: str | None,
    pepper: str,
    now: datetime,
) -> tuple[Account, str]:
    """R2.3: an employee account answering on the seller's behalf."""
    seller = seller_row(s, seller_id)
    manage_seller(p, seller)
    acc = _account("staff", name, email, now, seller_id=seller.id)
    s.add(acc)
    s.flush()
    return acc, issue_token(s, acc, pepper, now)


def list_staff(s: Session, p: Principal, seller_id: str) -> list[Account]:
    seller = seller_row(s, seller_id)
    manage_seller(p, seller)
    return list(
        s.scalars(
            select(Account)
            .where(Account.seller_id == seller.id, Account.role == "staff")
            .order_by(Account.created_at)
        )
    )


def deactivate_staff(
    s: Session, p: Principal, seller_id: str, account_id: str, now: datetime
) -> Account:
    seller = seller_row(s, seller_id)
    manage_seller(p, seller)
    acc = s.get(Account, account_id)
    if acc is None or acc.seller_id != seller.id or acc.role != "staff":
        raise NotFound(f"staff account {account_id!r} not found")
    _deactivate(s, acc, now)
    return acc


def _deactivate(s: Session, acc: Account, now: datetime) -> None:
    """The account stops working at once: every token revoked, every page session ended."""
    acc.active = False
    for t in s.scalars(
        select(ApiToken).where(ApiToken.account_id == acc.id, ApiToken.revoked_at.is_(None))
    ):
        t.revoked_at = now
    end_sessions_of(s, acc.id, now)


def deactivate_account(s: Session, p: Principal, account_id: str, now: datetime) -> Account:
    """Any role's account: by an operator in its scope, or by a seller for its own staff.
    Nobody deactivates their own account (an operator could lock the deployment out)."""
    acc = _visible_account(s, p, account_id)
    if acc.id == p.account_id:
        raise Forbidden("an account cannot deactivate itself; ask an operator")
    if p.role != "operator" and not (p.role == "seller" and acc.role == "staff"):
        raise Forbidden(f"a {p.role} cannot deactivate this account")
    _deactivate(s, acc, now)
    return acc


def tokens_of(s: Session, p: Principal, account_id: str) -> list[ApiToken]:
    """The account's tokens (never their values: only a prefix to recognise one)."""
    acc = _visible_account(s, p, account_id)
    return list(
        s.scalars(
            select(ApiToken).where(ApiToken.account_id == acc.id).order_by(ApiToken.created_at)
        )
    )


def revoke_token(
    s: Session, p: Principal, account_id: str, token_id: str, now: datetime
) -> ApiToken:
    """One token stops working at once (and the page sessions opened with it); anyone may
    revoke their own tokens, operators those in their scope, sellers their staff's."""
    acc = _visible_account(s, p, account_id)
    t = s.get(ApiToken, token_id)
    if t is None or t.account_id != acc.id:
        raise NotFound(f"token {token_id!r} not found")
    if t.revoked_at is None:
        t.revoked_at = now
    return t


def token_id_of(s: Session, token: str, pepper: str) -> str:
    """The id of a token just issued (to revoke it later by id)."""
    found = s.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(token, pepper)))
    assert found is not None  # issued in this transaction
    return found


def ensure_operator_token(s: Session, token: str, pepper: str, now: datetime) -> Account:
    """The bootstrap operator: created at start from settings, idempotently."""
    h = hash_token(token, pepper)
    existing = s.execute(
        select(Account).join(ApiToken).where(ApiToken.token_hash == h)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    acc = _account("operator", "operator", None, now, marketplace_id=None)
    s.add(acc)
    s.flush()
    issue_token(s, acc, pepper, now, token=token)
    return acc
