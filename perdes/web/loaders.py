"""Load-or-404 dependencies for objects that routes in more than one module load.

Each loader asks the domain's query, which applies the user's scope in SQL, and checks with
the same permission dependency the route declares (FastAPI runs it once per request). A
route declares ``target: OwnTarget`` and gets the object or the one 404 of the error map.
Loaders used by one route module only live in that module (tracking, draft_edits' Pasal).
The permission dependencies the loaders use are exported too (``DraftEditor``…): a route that
declares the same one gets the same callable, which FastAPI runs once per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from perdes.accounts.principal import Principal
from perdes.drafting.workspace import services as drafts
from perdes.monitoring import targets
from perdes.monitoring.models import TargetList
from perdes.web.deps import DB
from perdes.web.permissions import requires

TargetManager = Annotated[Principal, Depends(requires("targets.manage"))]


def _own_target(target_id: int, db: DB, user: TargetManager) -> TargetList:
    return targets.get_target(db, actor=user, target_id=target_id)


# The target list of the path, if the user owns it (an admin: any); else 404.
OwnTarget = Annotated[TargetList, Depends(_own_target)]


DraftReader = Annotated[Principal, Depends(requires("draft.view"))]
DraftEditor = Annotated[Principal, Depends(requires("draft.edit"))]
DraftCommenter = Annotated[Principal, Depends(requires("draft.comment"))]


# The draft of the path inside the user's scope (the scope is in the query), checked with the
# same permission the route declares (drafts and draft_edits).
def _draft_to_read(draft_id: int, db: DB, user: DraftReader) -> drafts.DraftView:
    return drafts.get_draft(db, actor=user, draft_id=draft_id)


def _draft_to_edit(draft_id: int, db: DB, user: DraftEditor) -> drafts.DraftView:
    return drafts.get_draft(db, actor=user, draft_id=draft_id)


def _draft_to_comment(draft_id: int, db: DB, user: DraftCommenter) -> drafts.DraftView:
    return drafts.get_draft(db, actor=user, draft_id=draft_id)


ReadDraft = Annotated[drafts.DraftView, Depends(_draft_to_read)]
EditDraft = Annotated[drafts.DraftView, Depends(_draft_to_edit)]
CommentDraft = Annotated[drafts.DraftView, Depends(_draft_to_comment)]
