"""Accounts and API tokens: operators create accounts; everyone can mint, list and revoke its
own tokens; operators (in their scope) and sellers (for their staff) revoke tokens and
deactivate accounts, which ends their page sessions too."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from servicenorm.helpdesk import accounts
from servicenorm.web.deps import ContainerDep, CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id
from servicenorm.web.schemas.directory import (
    AccountCreate,
    AccountPublic,
    AccountWithToken,
    TokenPublic,
)

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
    token_id = accounts.token_id_of(s, token, c.pepper)
    s.commit()
    return AccountWithToken(
        account=AccountPublic.model_validate(acc), token=token, token_id=token_id
    )


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
    token_id = accounts.token_id_of(s, token, c.pepper)
    s.commit()
    return AccountWithToken(
        account=AccountPublic.model_validate(acc), token=token, token_id=token_id
    )


@router.get("/{account_id}/tokens", response_model=list[TokenPublic])
def list_tokens(account_id: Id, s: SessionDep, p: CurrentPrincipal) -> list[TokenPublic]:
    return [TokenPublic.model_validate(t) for t in accounts.tokens_of(s, p, account_id)]


@router.delete("/{account_id}/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(
    account_id: Id, token_id: Id, s: SessionDep, p: CurrentPrincipal, now: NowDep, request: Request
) -> Response:
    """The token stops working at once, on every server, with the page sessions opened with it."""
    t = accounts.revoke_token(s, p, account_id, token_id, now)
    s.commit()
    request.app.state.tokens.evict_account(t.account_id)  # (validity is checked anyway)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{account_id}/deactivate", response_model=AccountPublic)
def deactivate(
    account_id: Id, s: SessionDep, p: CurrentPrincipal, now: NowDep, request: Request
) -> AccountPublic:
    """Any role's account: every token revoked and every page session ended at once."""
    acc = accounts.deactivate_account(s, p, account_id, now)
    s.commit()
    request.app.state.tokens.evict_account(acc.id)
    return AccountPublic.model_validate(acc)
