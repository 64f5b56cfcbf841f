"""Accounts and API tokens (operators create accounts; everyone can mint a token for itself)."""

from __future__ import annotations

from fastapi import APIRouter, status

from servicenorm.helpdesk import accounts
from servicenorm.web.deps import ContainerDep, CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id
from servicenorm.web.schemas.directory import AccountCreate, AccountPublic, AccountWithToken

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AccountWithToken)
def create_account(
    body: AccountCreate, s: SessionDep, p: CurrentPrincipal, c: ContainerDep, now: NowDep
) -> AccountWithToken:
    acc, token = accounts.create_account(
        s,
        p,
        body.role,
        body.name,
        body.email,
        marketplace=body.marketplace,
        seller=body.seller,
        buyer=body.buyer,
        pepper=c.pepper,
        now=now,
    )
    s.commit()
    return AccountWithToken(account=AccountPublic.model_validate(acc), token=token)


@router.get("/{account_id}", response_model=AccountPublic)
def get_account(account_id: Id, s: SessionDep, p: CurrentPrincipal) -> AccountPublic:
    return AccountPublic.model_validate(accounts.get_account(s, p, account_id))


@router.post(
    "/{account_id}/tokens", status_code=status.HTTP_201_CREATED, response_model=AccountWithToken
)
def new_token(
    account_id: Id, s: SessionDep, p: CurrentPrincipal, c: ContainerDep, now: NowDep
) -> AccountWithToken:
    acc, token = accounts.new_token_for(s, p, account_id, c.pepper, now)
    s.commit()
    return AccountWithToken(account=AccountPublic.model_validate(acc), token=token)
