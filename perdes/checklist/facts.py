"""Named facts the app already knows about a village, from which checklist items are derived.

A framework item may say ``rule: {fact: tracker.promulgated}``; the loader checks the fact
name and its parameters against this registry, and the assessment service evaluates it
whenever one of the fact's events is published.

The register facts also say *why*: ``find`` returns a ``Finding`` with the counts it judged
(whole numbers under fixed keys, never a name, NIK or address) and the date of the register
figures, which a derived item shows, writes into its history and keeps on its answer. Counts
"in the last 12 months" run over the 12 months up to today (WIB).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from perdes import clock, events
from perdes.db import utcnow
from perdes.regions.models import VillageProfile
from perdes.register.basis import REQUIRED_DOCUMENTS
from perdes.register.figures import RegisterVillageFigure
from perdes.register.models import (
    Case,
    Departure,
    DocumentCheck,
    DocumentStatus,
    Empowerment,
    PmiPerson,
    Referral,
    Return,
)
from perdes.tracking import standing

Evaluate = Callable[[Session, str, Mapping[str, int]], bool]


@dataclass(frozen=True, slots=True)
class Finding:
    """A fact's answer with its basis: the counts judged and the date of the figures."""

    holds: bool
    counts: tuple[tuple[str, int], ...] = ()
    as_of: date | None = None  # the last day of the counted period (today, WIB)
    figures_updated: datetime | None = None  # the register's last change
    # when the newest counted departure was recorded (the outcome's counts): not a count,
    # kept in the basis so that a departure arriving as another leaves the window is noticed
    departures_recorded: datetime | None = None


Find = Callable[[Session, str, Mapping[str, int]], Finding]

# The Indonesian label of every count a finding may carry (shown, written in the history).
COUNT_LABELS: dict[str, str] = {
    "persons": "orang tercatat",
    "abroad": "sedang bekerja di luar negeri",
    "returned_home": "PMI purna di desa",
    "departures_12m": "keberangkatan 12 bulan terakhir",
    "documents_verified_12m": "di antaranya dokumen lengkap terverifikasi",
    "procedural_12m": "di antaranya prosedural",
    "nonprocedural_12m": "keberangkatan nonprosedural 12 bulan terakhir",
    "reported_12m": "di antaranya dilaporkan/dirujuk ke Dinas atau BP3MI",
    "returns_12m": "kepulangan 12 bulan terakhir",
    "returns_with_needs_12m": "kepulangan dengan kebutuhan (kesehatan, hukum, ekonomi)",
    "needs_followed_up_12m": "di antaranya ditindaklanjuti (rujukan atau pemberdayaan)",
    "cases_12m": "pengaduan/kasus dibuka 12 bulan terakhir",
    "cases_referred_12m": "di antaranya dirujuk ke Dinas atau BP3MI",
    "cases_open": "kasus belum selesai",
}
WIB = ZoneInfo("Asia/Jakarta")
REFERRED = (Referral.DINAS, Referral.BP3MI)


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
    find: Find | None = None  # the answer with its counts; facts without one give only yes/no
    # a fact that the village keeps a source of data (usable as a conditional rule's ``when``)
    condition: bool = False
    # count key -> outcome figure id (figures.py): the fact can carry the outcome item's counts
    outcome_figures: Mapping[str, str] = field(default_factory=dict)

    def finding(self, session: Session, village_code: str, params: Mapping[str, int]) -> Finding:
        if self.find is not None:
            return self.find(session, village_code, params)
        return Finding(self.evaluate(session, village_code, params))


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


def today_wib() -> date:
    return clock.local_today()


def year_before(day: date) -> date:
    """The day 12 months before (29 February → 28 February): the window is after it."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _figure_row(session: Session, village_code: str) -> RegisterVillageFigure | None:
    return session.get(RegisterVillageFigure, village_code)


def register_counts(session: Session, village_code: str) -> dict[str, int]:
    """The register's counts of one village over the last 12 months (and open cases).

    Counts only, from a handful of queries over the village's own rows. The last village's
    counts are kept on the session (the items of one village are evaluated one after the
    other), keyed by the day and the figures row that every register write refreshes.
    """
    return dict(_window(session, village_code)[0])


def newest_departure_recorded(session: Session, village_code: str) -> datetime | None:
    """When the most recently *recorded* departure of the 12-month window was recorded.

    Departure rows are only ever added (never edited), so a departure that enters the window
    is one recorded later than this: equal counts with a later time mean that one departure
    left the window while another arrived, which a countersignature has not seen.
    """
    return _window(session, village_code)[1]


def _window(session: Session, village_code: str) -> tuple[dict[str, int], datetime | None]:
    row = _figure_row(session, village_code)
    today = today_wib()
    key = (village_code, today, row.updated_at if row is not None else None)
    cached = session.info.get("register_counts")
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    since = year_before(today)
    persons = select(PmiPerson.id).where(PmiPerson.village_code == village_code)
    departures = session.execute(
        select(
            Departure.person_id,
            Departure.departed_on,
            Departure.channel,
            Departure.procedural,
            Departure.created_at,
        ).where(
            Departure.person_id.in_(persons),
            Departure.departed_on > since,
            Departure.departed_on <= today,
        )
    ).all()
    ids = {d.person_id for d in departures}
    checked: dict[int, set[str]] = {}
    for person_id, kind in session.execute(
        select(DocumentCheck.person_id, DocumentCheck.kind).where(
            DocumentCheck.person_id.in_(ids), DocumentCheck.status == DocumentStatus.SESUAI
        )
    ):
        checked.setdefault(person_id, set()).add(kind)
    returns = session.execute(
        select(
            Return.person_id,
            Return.returned_on,
            (Return.needs_health | Return.needs_legal | Return.needs_economic).label("needs"),
        ).where(Return.person_id.in_(persons), Return.returned_on > since)
    ).all()
    ids |= {r.person_id for r in returns}
    referred: dict[int, list[date]] = {}
    for person_id, on in session.execute(
        select(Case.person_id, Case.opened_on).where(
            Case.person_id.in_(ids), Case.referral.in_(REFERRED)
        )
    ):
        referred.setdefault(person_id, []).append(on)
    empowered: dict[int, list[date]] = {}
    for person_id, on in session.execute(
        select(Empowerment.person_id, Empowerment.started_on).where(
            Empowerment.person_id.in_({r.person_id for r in returns})
        )
    ):
        empowered.setdefault(person_id, []).append(on)

    def verified(d: Any) -> bool:
        return set(REQUIRED_DOCUMENTS[d.channel]) <= checked.get(d.person_id, set())

    def reported(d: Any) -> bool:
        # a case of the same person referred to the Dinas/BP3MI, opened within the 12 months
        # before the departure or after it (a planned departure is reported before it happens)
        start = year_before(d.departed_on)
        return any(on > start for on in referred.get(d.person_id, []))

    def followed_up(person_id: int, on: date) -> bool:
        later = [*referred.get(person_id, []), *empowered.get(person_id, [])]
        return any(x >= on for x in later)

    nonprocedural = [d for d in departures if not d.procedural]
    with_needs = [r for r in returns if r.needs]
    case_in_window = and_(Case.person_id.in_(persons), Case.opened_on > since)
    cases, cases_referred = session.execute(
        select(func.count(), func.count().filter(Case.referral.in_(REFERRED))).where(case_in_window)
    ).one()
    counts = {
        "persons": row.persons if row is not None else 0,
        "abroad": row.abroad if row is not None else 0,
        "returned_home": row.returned_home if row is not None else 0,
        "departures_12m": len(departures),
        "documents_verified_12m": sum(1 for d in departures if verified(d)),
        "procedural_12m": sum(1 for d in departures if d.procedural),
        "nonprocedural_12m": len(nonprocedural),
        "reported_12m": sum(1 for d in nonprocedural if reported(d)),
        "returns_12m": len(returns),
        "returns_with_needs_12m": len(with_needs),
        "needs_followed_up_12m": sum(
            1 for r in with_needs if followed_up(r.person_id, r.returned_on)
        ),
        "cases_12m": int(cases),
        "cases_referred_12m": int(cases_referred),
        "cases_open": row.open_cases if row is not None else 0,
    }
    newest = max((d.created_at for d in departures), default=None)
    session.info["register_counts"] = (key, dict(counts), newest)
    return counts, newest


def _register_finding(
    session: Session, village_code: str, holds: bool, keys: tuple[str, ...]
) -> Finding:
    counts = register_counts(session, village_code)
    row = _figure_row(session, village_code)
    return Finding(
        holds,
        tuple((k, counts[k]) for k in keys),
        as_of=today_wib(),
        figures_updated=row.updated_at if row is not None else None,
    )


def _recent(row: RegisterVillageFigure | None, days: int) -> bool:
    return row is not None and row.updated_at >= utcnow() - timedelta(days=days)


def _register_kept(session: Session, village_code: str, params: Mapping[str, int]) -> bool:
    row = _figure_row(session, village_code)
    if row is None or row.persons < params["min_persons"]:
        return False
    return _recent(row, params["days"])


def _find_register_kept(session: Session, village_code: str, params: Mapping[str, int]) -> Finding:
    holds = _register_kept(session, village_code, params)
    return _register_finding(session, village_code, holds, ("persons", "abroad", "returned_home"))


def _register_departures_verified(
    session: Session, village_code: str, params: Mapping[str, int]
) -> bool:
    row = _figure_row(session, village_code)
    if row is None or row.departures == 0:
        return False
    return 100 * row.departures_verified >= params["percent"] * row.departures


def _register_departures_procedural(
    session: Session, village_code: str, params: Mapping[str, int]
) -> bool:
    row = _figure_row(session, village_code)
    if row is None or row.departures == 0:
        return False
    return 100 * row.departures_procedural >= params["percent"] * row.departures


def _share(part: int, whole: int, percent: int) -> bool:
    """At least ``percent`` % of ``whole`` (none to judge: met)."""
    return 100 * part >= percent * whole


def _find_records_verified(
    session: Session, village_code: str, params: Mapping[str, int]
) -> Finding:
    c = register_counts(session, village_code)
    holds = _recent(_figure_row(session, village_code), params["days"]) and _share(
        c["documents_verified_12m"], c["departures_12m"], params["percent"]
    )
    keys = ("persons", "departures_12m", "documents_verified_12m")
    return _register_finding(session, village_code, holds, keys)


def _find_movements(session: Session, village_code: str, params: Mapping[str, int]) -> Finding:
    holds = _recent(_figure_row(session, village_code), params["days"])
    keys = ("departures_12m", "returns_12m", "abroad", "returned_home")
    return _register_finding(session, village_code, holds, keys)


def _find_departures_12m(session: Session, village_code: str, params: Mapping[str, int]) -> Finding:
    c = register_counts(session, village_code)
    # without the kabupaten's threshold (the outcome item applies it): every non-procedural
    # departure reported; no departures at all is met pending BP3MI's confirmation
    holds = c["reported_12m"] >= c["nonprocedural_12m"]
    keys = ("departures_12m", "procedural_12m", "reported_12m")
    finding = _register_finding(session, village_code, holds, keys)
    return replace(finding, departures_recorded=newest_departure_recorded(session, village_code))


def _find_nonprocedural_reported(
    session: Session, village_code: str, params: Mapping[str, int]
) -> Finding:
    c = register_counts(session, village_code)
    holds = c["reported_12m"] >= c["nonprocedural_12m"]
    return _register_finding(session, village_code, holds, ("nonprocedural_12m", "reported_12m"))


def _find_returns_followed_up(
    session: Session, village_code: str, params: Mapping[str, int]
) -> Finding:
    c = register_counts(session, village_code)
    holds = _share(c["needs_followed_up_12m"], c["returns_with_needs_12m"], params["percent"])
    keys = ("returns_12m", "returns_with_needs_12m", "needs_followed_up_12m")
    return _register_finding(session, village_code, holds, keys)


def _find_cases_referred(session: Session, village_code: str, params: Mapping[str, int]) -> Finding:
    c = register_counts(session, village_code)
    holds = _share(c["cases_referred_12m"], c["cases_12m"], params["percent"])
    return _register_finding(
        session, village_code, holds, ("cases_12m", "cases_referred_12m", "cases_open")
    )


def _holds(find: Find) -> Evaluate:
    return lambda session, code, params: find(session, code, params).holds


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
            find=_find_register_kept,
            condition=True,
        ),
        Fact(
            name="register.records_verified",
            label=(
                "Register PMI desa dimutakhirkan dalam {days} hari terakhir dan sekurang-kurangnya"
                " {percent}% keberangkatan 12 bulan terakhir tercatat dengan dokumen lengkap"
                " terverifikasi"
            ),
            evaluate=_holds(_find_records_verified),
            events=(events.Change.REGISTER,),
            params={
                "days": IntParam(minimum=1, maximum=3650),
                "percent": IntParam(minimum=1, maximum=100),
            },
            find=_find_records_verified,
        ),
        Fact(
            name="register.movements_recorded",
            label=(
                "Keberangkatan dan kepulangan dicatat pada register PMI desa, dimutakhirkan dalam"
                " {days} hari terakhir"
            ),
            evaluate=_holds(_find_movements),
            events=(events.Change.REGISTER,),
            params={"days": IntParam(minimum=1, maximum=3650)},
            find=_find_movements,
        ),
        Fact(
            name="register.departures_12m",
            label=(
                "Keberangkatan 12 bulan terakhir menurut register PMI desa: yang prosedural dan"
                " yang nonprosedural dilaporkan ke Dinas/BP3MI"
            ),
            evaluate=_holds(_find_departures_12m),
            events=(events.Change.REGISTER,),
            find=_find_departures_12m,
            outcome_figures={
                "departures_12m": "known",
                "procedural_12m": "matched",
                "reported_12m": "followed_up",
            },
        ),
        Fact(
            name="register.nonprocedural_reported",
            label=(
                "Setiap keberangkatan nonprosedural 12 bulan terakhir pada register PMI desa"
                " dilaporkan/dirujuk ke Dinas atau BP3MI"
            ),
            evaluate=_holds(_find_nonprocedural_reported),
            events=(events.Change.REGISTER,),
            find=_find_nonprocedural_reported,
        ),
        Fact(
            name="register.returns_followed_up",
            label=(
                "Sekurang-kurangnya {percent}% kepulangan 12 bulan terakhir yang mempunyai"
                " kebutuhan ditindaklanjuti (rujukan kasus atau pemberdayaan) menurut register"
            ),
            evaluate=_holds(_find_returns_followed_up),
            events=(events.Change.REGISTER,),
            params={"percent": IntParam(minimum=1, maximum=100)},
            find=_find_returns_followed_up,
        ),
        Fact(
            name="register.cases_referred",
            label=(
                "Sekurang-kurangnya {percent}% pengaduan/kasus 12 bulan terakhir pada register"
                " PMI desa dirujuk ke Dinas atau BP3MI"
            ),
            evaluate=_holds(_find_cases_referred),
            events=(events.Change.REGISTER,),
            params={"percent": IntParam(minimum=1, maximum=100)},
            find=_find_cases_referred,
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


def describe_counts(counts: Mapping[str, int | str]) -> str:
    """ "3 keberangkatan 12 bulan terakhir, 3 di antaranya prosedural" (counts only)."""
    return ", ".join(f"{value} {COUNT_LABELS.get(key, key)}" for key, value in counts.items())
