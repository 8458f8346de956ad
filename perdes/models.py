"""Import every model module so ``Base.metadata`` is complete (Alembic, mappers, tests).

Derived data is wired elsewhere, explicitly: ``perdes.pipeline``."""

from perdes import files
from perdes.accounts import models as accounts_models
from perdes.checklist import models as checklist_models
from perdes.db import Base
from perdes.drafting.workspace import models as drafting_models
from perdes.monitoring import models as monitoring_models
from perdes.monitoring import rollup
from perdes.regions import models as regions_models
from perdes.tracking import models as tracking_models

__all__ = [
    "Base",
    "accounts_models",
    "checklist_models",
    "drafting_models",
    "files",
    "monitoring_models",
    "regions_models",
    "rollup",
    "tracking_models",
]
