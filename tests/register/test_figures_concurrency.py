"""Parallel register writes in one kecamatan: the counts equal a recomputation (no lost update).

Against a real database with real commits (a fresh SQLite file, or a scratch PostgreSQL
database when PERDES_TEST_DATABASE_URL is set), each writer a thread with its own session.
"""

from __future__ import annotations

import threading

from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.register import services
from perdes.register.crypto import keyring_from_settings
from perdes.register.figures import (
    COUNT_COLUMNS,
    RegisterDistrictFigure,
    RegisterVillageFigure,
    compute_villages,
)
from tests.factories import LONTAR, SUSUKAN, make_user
from tests.test_concurrency import live  # noqa: F401 - the scratch-database fixture

WRITERS = 6


def test_parallel_persons_in_one_kecamatan_are_all_counted(live):  # noqa: F811
    settings, factory = live
    keyring = keyring_from_settings(settings)
    with factory() as db:
        petugas = {
            code: accounts.principal_for(make_user(db, "petugas", (code,)))
            for code in (LONTAR, SUSUKAN)
        }
        db.commit()
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(i: int) -> None:
        code = LONTAR if i % 2 else SUSUKAN
        try:
            barrier.wait()
            with factory() as db, db.begin():
                services.create_person(
                    db, actor=petugas[code], village_code=code, keyring=keyring,
                    data={"nik": f"36041345069500{i + 10:02d}", "name": f"Orang {i}"},
                )  # fmt: skip
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    with factory() as db:
        stored = {r.village_code: r.persons for r in db.scalars(select(RegisterVillageFigure))}
        assert stored == {LONTAR: WRITERS // 2, SUSUKAN: WRITERS // 2}
        recomputed = compute_villages(db, [LONTAR, SUSUKAN])
        district = db.get(RegisterDistrictFigure, LONTAR[:8])
        for column in COUNT_COLUMNS:
            assert getattr(district, column) == sum(c[column] for c in recomputed.values())
        assert district.villages == 2
