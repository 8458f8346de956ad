"""Named facts the app already knows about a village, from which checklist items are derived.

A framework item may say ``rule: {fact: tracker.promulgated}``; the loader checks the fact
name and its parameters against this registry, and the assessment service evaluates it
whenever one of the fact's events is published.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from perdes import events
from perdes.db import utcnow
from perdes.regions.models import VillageProfile
from perdes.register.figures import RegisterVillageFigure
from perdes.tracking import standing

Evaluate = Callable[[Session, str, Mapping[str, int]], bool]


@dataclass(frozen=True, slots=True)
class IntParam:
    """A whole-number parameter of a fact, with inclusive bounds."""

    minimum: int
    maximum: int
    required: bool = True


@dataclass(frozen=True, slots=True)
class Fact:
    """A yes/no question about one village, answered from data other packages keep."""

    name: str
    label: str
    evaluate: Evaluate
    events: tuple[str, ...]
    params: Mapping[str, IntParam] = field(default_factory=dict)


def _tracker_promulgated(session: Session, village_code: str, params: Mapping[str, int]) -> bool:
    return standing.is_promulgated(session, village_code=village_code)


def _profile_pmi_data_recent(
    session: Session, village_code: str, params: Mapping[str, int]
) -> bool:
    profile = session.get(VillageProfile, village_code)
    if profile is None or profile.updated_at is None:
        return False
    if profile.pmi_active_count is None or profile.pmi_returned_count is None:
        return False
    return profile.updated_at >= utcnow() - timedelta(days=params["days"])


def _register_kept(session: Session, village_code: str, params: Mapping[str, int]) -> bool:
    row = session.get(RegisterVillageFigure, village_code)
    if row is None or row.persons < params["min_persons"]:
        return False
    return row.updated_at >= utcnow() - timedelta(days=params["days"])


def _register_departures_verified(
    session: Session, village_code: str, params: Mapping[str, int]
) -> bool:
    row = session.get(RegisterVillageFigure, village_code)
    if row is None or row.departures == 0:
        return False
    return 100 * row.departures_verified >= params["percent"] * row.departures


def _register_departures_procedural(
    session: Session, village_code: str, params: Mapping[str, int]
) -> bool:
    row = session.get(RegisterVillageFigure, village_code)
    if row is None or row.departures == 0:
        return False
    return 100 * row.departures_procedural >= params["percent"] * row.departures


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in (
        Fact(
            name="tracker.promulgated",
            label="Perdes tercatat diundangkan pada pelacak tahapan",
            evaluate=_tracker_promulgated,
            events=(events.Change.ADOPTION,),
        ),
        Fact(
            name="profile.pmi_data_recent",
            label="Jumlah PMI pada profil desa terisi dan diperbarui dalam {days} hari terakhir",
            evaluate=_profile_pmi_data_recent,
            events=(events.Change.VILLAGE_PROFILE,),
            params={"days": IntParam(minimum=1, maximum=3650)},
        ),
        Fact(
            name="register.kept",
            label=(
                "Register PMI desa memuat sekurang-kurangnya {min_persons} orang dan dimutakhirkan"
                " dalam {days} hari terakhir"
            ),
            evaluate=_register_kept,
            events=(events.Change.REGISTER,),
            params={
                "min_persons": IntParam(minimum=1, maximum=100_000),
                "days": IntParam(minimum=1, maximum=3650),
            },
        ),
        Fact(
            name="register.departures_verified",
            label=(
                "Sekurang-kurangnya {percent}% keberangkatan pada register PMI desa tercatat"
                " dengan dokumen terverifikasi"
            ),
            evaluate=_register_departures_verified,
            events=(events.Change.REGISTER,),
            params={"percent": IntParam(minimum=1, maximum=100)},
        ),
        Fact(
            name="register.departures_procedural",
            label=(
                "Sekurang-kurangnya {percent}% keberangkatan pada register PMI desa menempuh"
                " jalur prosedural"
            ),
            evaluate=_register_departures_procedural,
            events=(events.Change.REGISTER,),
            params={"percent": IntParam(minimum=1, maximum=100)},
        ),
    )
}


def describe(name: str, params: Mapping[str, int]) -> str:
    """The fact's Indonesian label with its parameters filled in."""
    fact = FACTS.get(name)
    if fact is None:
        return name
    return fact.label.format(**params)
