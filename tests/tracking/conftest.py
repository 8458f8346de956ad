from __future__ import annotations

import pytest

from perdes.accounts.services import principal_for
from tests.factories import make_user


@pytest.fixture()
def operator(db, regions):
    return principal_for(make_user(db, "operator"))


@pytest.fixture()
def admin(db, regions):
    return principal_for(make_user(db, "admin"))
