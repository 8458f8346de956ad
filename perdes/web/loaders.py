"""Load-or-404 dependencies for objects that routes in more than one module load.

Each loader asks the domain's query, which applies the user's scope in SQL, and checks with
the same permission dependency the route declares (FastAPI runs it once per request). A
route declares ``target: OwnTarget`` and gets the object or the one 404 of the error map.
Loaders used by one route module only live in that module (drafts, tracking).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from perdes.accounts.principal import Principal
from perdes.monitoring import targets
from perdes.monitoring.models import TargetList
from perdes.web.deps import DB
from perdes.web.permissions import requires

TargetManager = Annotated[Principal, Depends(requires("targets.manage"))]


def _own_target(target_id: int, db: DB, user: TargetManager) -> TargetList:
    return targets.get_target(db, actor=user, target_id=target_id)


# The target list of the path, if the user owns it (an admin: any); else 404.
OwnTarget = Annotated[TargetList, Depends(_own_target)]
