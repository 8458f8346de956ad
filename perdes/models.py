"""Import every model module so ``Base.metadata`` is complete (Alembic, tests)."""

from perdes import files
from perdes.accounts import models as accounts_models
from perdes.db import Base
from perdes.regions import models as regions_models
from perdes.tracking import models as tracking_models

__all__ = ["Base", "accounts_models", "files", "regions_models", "tracking_models"]
