"""One saved reply: read (seller, staff), change or delete (seller)."""

from __future__ import annotations

from fastapi import APIRouter, status

from servicenorm.helpdesk import saved_replies
from servicenorm.web.deps import CurrentPrincipal, NowDep, SessionDep
from servicenorm.web.schemas.common import Id
from servicenorm.web.schemas.content import SavedReplyPublic, SavedReplyUpdate

router = APIRouter(prefix="/saved-replies", tags=["saved replies"])


@router.get("/{reply_id}", response_model=SavedReplyPublic)
def get_saved_reply(reply_id: Id, s: SessionDep, p: CurrentPrincipal) -> SavedReplyPublic:
    return SavedReplyPublic.model_validate(saved_replies.get(s, p, reply_id))


@router.patch("/{reply_id}", response_model=SavedReplyPublic)
def update_saved_reply(
    reply_id: Id, body: SavedReplyUpdate, s: SessionDep, p: CurrentPrincipal, now: NowDep
) -> SavedReplyPublic:
    r = saved_replies.update(s, p, reply_id, body.title, body.body, now)
    s.commit()
    return SavedReplyPublic.model_validate(r)


@router.delete("/{reply_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_saved_reply(reply_id: Id, s: SessionDep, p: CurrentPrincipal) -> None:
    saved_replies.delete(s, p, reply_id)
    s.commit()
