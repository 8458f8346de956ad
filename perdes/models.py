"""Import every model module so ``Base.metadata`` is complete (Alembic, mappers, tests).

Derived data is wired elsewhere, explicitly: ``perdes.pipeline``."""

from perdes import files
from perdes.accounts import models as accounts_models
from perdes.checklist import models as checklist_models
from perdes.checklist import thresholds as checklist_thresholds
from perdes.db import Base
from perdes.drafting.workspace import models as drafting_models
from perdes.jobs import models as jobs_models
from perdes.mail import models as mail_models
from perdes.monitoring import models as monitoring_models
from perdes.monitoring import rollup
from perdes.notifications import models as notifications_models
from perdes.regions import models as regions_models
from perdes.register import disclosure as register_disclosure
from perdes.register import figures as register_figures
from perdes.register import models as register_models
from perdes.tracking import models as tracking_models

__all__ = [
    "Base",
    "accounts_models",
    "checklist_models",
    "checklist_thresholds",
    "drafting_models",
    "files",
    "jobs_models",
    "mail_models",
    "monitoring_models",
    "notifications_models",
    "regions_models",
    "register_disclosure",
    "register_figures",
    "register_models",
    "rollup",
    "tracking_models",
]
