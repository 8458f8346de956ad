"""Target lists (daftar sasaran): pages, membership forms, snapshots and exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.checklist.scoring import QUALIFIED_LABEL
from perdes.errors import ValidationFailed
from perdes.home.services import find_region, region_choices
from perdes.monitoring import charts, targets
from perdes.monitoring.figures import (
    FIGURE_HEADER,
    FUNNEL_KEYS,
    FUNNEL_LABELS,
    NOT_STARTED,
    figure_cells,
    name_children,
    total_of,
)
from perdes.monitoring.models import TargetList, TargetSnapshot
from perdes.monitoring.services import VILLAGE_HEADER, VillageFilter, list_villages
from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import STAGE_LABELS
from perdes.web.deps import DB, FormData, brief_write
from perdes.web.exports import export_response, streamed_villages
from perdes.web.forms import Posted, read_multipart, submit
from perdes.web.htmx import redirect, render
from perdes.web.loaders import OwnTarget, TargetManager
from perdes.web.sections import funnel_chart

router = APIRouter()

Manager = TargetManager
SNAPSHOT_HEADER = (
    "Tanggal",
    "Desa",
    "Diundangkan",
    QUALIFIED_LABEL,
    "Langkah terlambat",
    *(FUNNEL_LABELS[k] for k in FUNNEL_KEYS),
)


async def _csv_form(request: Request) -> Posted:
    return await read_multipart(request, limit=targets.MAX_CSV_BYTES)


Uploaded = Annotated[Posted, Depends(_csv_form)]


def snapshot_cells(s: TargetSnapshot) -> tuple[Any, ...]:
    counts = s.stage_counts or {}
    return (
        s.taken_on,
        s.village_count,
        s.promulgated_count,
        s.qualified_count,
        s.overdue_count,
        *(int(counts.get(k, 0)) for k in FUNNEL_KEYS),
    )


def snapshot_chart(rows: list[TargetSnapshot]) -> str:
    series = [
        charts.Series(
            "Belum mulai", [(s.taken_on, s.stage_counts.get(NOT_STARTED, 0)) for s in rows]
        ),
        charts.Series("Diundangkan", [(s.taken_on, s.promulgated_count) for s in rows]),
        charts.Series(QUALIFIED_LABEL, [(s.taken_on, s.qualified_count) for s in rows]),
    ]
    return charts.line_chart(
        series,
        title="Kemajuan daftar sasaran dari waktu ke waktu",
        description=(
            f"{len(rows)} potret mingguan: desa belum mulai, diundangkan dan memenuhi butir wajib "
            "(instrumen usulan). "
            "Angka lengkap ada pada tabel potret."
        ),
        chart_id="potret",
    )


def _lists_page(
    request: Request,
    db: Session,
    user: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "monitoring/targets.html",
        {
            "user": user,
            "rows": targets.list_targets(db, actor=user),
            "values": values or {},
            "errors": errors or {},
        },
        block="create",
        status_code=status_code,
    )


@router.get("/pemantauan/sasaran", name="target_lists")
def target_lists(request: Request, db: DB, user: Manager) -> Response:
    return _lists_page(request, db, user)


@router.post("/pemantauan/sasaran", name="target_create")
def target_create(request: Request, db: DB, user: Manager, form: FormData) -> Response:
    return submit(
        db,
        lambda: targets.create_target(
            db, actor=user, name=form.get("name", ""), description=form.get("description", "")
        ),
        invalid=lambda errors: _lists_page(request, db, user, values=form, errors=errors),
        done=lambda target: redirect(
            request, request.app.url_path_for("target_detail", target_id=str(target.id))
        ),
    )


def _detail(
    request: Request,
    db: Session,
    user: Principal,
    target: TargetList,
    *,
    errors: dict[str, str] | None = None,
    bad_lines: list[targets.BadLine] | None = None,
    message: str = "",
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    today = local_today()
    children = targets.target_figures(db, actor=user, target=target, today=today)
    name_children(db, children)
    total = total_of(children.values(), name=target.name)
    snaps = targets.snapshots(db, target=target)
    members = list_villages(
        db,
        actor=user,
        filters=VillageFilter(target_list_id=target.id),
        per_page=targets.MAX_MEMBERS,
        today=today,
    )
    return render(
        request,
        "monitoring/target.html",
        {
            "user": user,
            "target": target,
            "max_csv_bytes": targets.MAX_CSV_BYTES,
            "t": total,
            "children": sorted(children.values(), key=lambda f: f.code),
            "header": FIGURE_HEADER,
            "cells": figure_cells,
            "funnel_keys": FUNNEL_KEYS,
            "funnel_labels": FUNNEL_LABELS,
            "funnel_svg": funnel_chart(total, chart_id="corong-sasaran"),
            "snapshots": snaps,
            "snapshot_header": SNAPSHOT_HEADER,
            "snapshot_cells": snapshot_cells,
            "line_svg": snapshot_chart(snaps),
            "members": members.items,
            "village_header": VILLAGE_HEADER,
            "stage_labels": STAGE_LABELS,
            "today": today,
            "errors": errors or {},
            "bad_lines": bad_lines or [],
            "message": message,
            "values": values or {},
            "region_choices": region_choices(db, actor=user),
        },
        block="target",
        status_code=status_code,
    )


@router.get("/pemantauan/sasaran/{target_id}", name="target_detail")
def target_detail(
    request: Request, target_id: int, db: DB, user: Manager, target: OwnTarget
) -> Response:
    """The list's dashboard; takes the weekly snapshot when the newest is older than 7 days
    (in a brief transaction of its own: the page itself only reads)."""
    if targets.snapshot_due(db, target=target):
        brief_write(
            request,
            db,
            lambda s: targets.snapshot_if_due(
                s, actor=user, target=targets.get_target(s, actor=user, target_id=target_id)
            ),
        )
    return _detail(request, db, user, target)


@router.post("/pemantauan/sasaran/{target_id}/wilayah", name="target_add_region")
def target_add_region(
    request: Request, target_id: int, db: DB, user: Manager, target: OwnTarget, form: FormData
) -> Response:

    def write() -> int:
        code = find_region(db, actor=user, text=form.get("wilayah", ""), field="wilayah")
        return targets.add_by_region(
            db, actor=user, target_id=target_id, region_code=code, query=form.get("q", "")
        )

    return submit(
        db,
        write,
        invalid=lambda errors: _detail(request, db, user, target, errors=errors, values=form),
        done=lambda added: _detail(
            request, db, user, target, message=_added(db, user, target, added)
        ),
    )


def _added(db: Session, user: Principal, target: TargetList, added: int) -> str:
    """Say what happened in words; the first villages also give the chart its first point."""
    if added == 0:
        return "Tidak ada desa baru: semua desa yang cocok sudah ada di daftar ini."
    targets.snapshot_if_due(db, actor=user, target=target)
    return f"{added} desa ditambahkan."


@router.post("/pemantauan/sasaran/{target_id}/csv", name="target_add_csv")
def target_add_csv(
    request: Request, target_id: int, db: DB, user: Manager, target: OwnTarget, upload: Uploaded
) -> Response:

    bad: list[targets.BadLine] = []

    def write() -> int:
        if "file" not in upload.files:
            raise ValidationFailed({"file": "Pilih berkas CSV berisi kode desa."})
        try:
            return targets.add_from_csv(db, actor=user, target_id=target_id, data=upload.file()[1])
        except targets.BadCodes as exc:
            bad.extend(exc.bad)  # shown line by line under the form
            raise

    return submit(
        db,
        write,
        invalid=lambda errors: _detail(
            request, db, user, target, errors=errors, bad_lines=bad or None
        ),
        done=lambda added: _detail(
            request, db, user, target, message=_added(db, user, target, added)
        ),
    )


@router.post("/pemantauan/sasaran/{target_id}/hapus-desa", name="target_remove_village")
def target_remove_village(
    request: Request, target_id: int, db: DB, user: Manager, target: OwnTarget, form: FormData
) -> Response:
    code = form.get("kode", "")
    targets.remove_village(db, actor=user, target_id=target_id, village_code=code)
    return _detail(request, db, user, target, message=f"Desa {code} dikeluarkan dari daftar.")


@router.post("/pemantauan/sasaran/{target_id}/potret", name="target_snapshot")
def target_snapshot(request: Request, db: DB, user: Manager, target: OwnTarget) -> Response:
    targets.take_snapshot(db, actor=user, target=target)
    return _detail(request, db, user, target, message="Kemajuan hari ini dicatat.")


@router.post("/pemantauan/sasaran/{target_id}/hapus", name="target_delete")
def target_delete(request: Request, target_id: int, db: DB, user: Manager) -> Response:
    targets.delete_target(db, actor=user, target_id=target_id)
    return redirect(request, request.app.url_path_for("target_lists"))


@router.get("/pemantauan/sasaran/{target_id}/desa.{fmt}", name="target_members_export")
def target_members_export(
    request: Request, target_id: int, fmt: str, db: DB, user: Manager, _: OwnTarget
) -> Response:
    filters = VillageFilter(target_list_id=target_id)
    rows = streamed_villages(request.app.state.session_factory, user, filters)
    return export_response(fmt, f"sasaran-{target_id}-desa", VILLAGE_HEADER, rows)


@router.get("/pemantauan/sasaran/{target_id}/wilayah.{fmt}", name="target_table_export")
def target_table_export(
    target_id: int, fmt: str, db: DB, user: Manager, target: OwnTarget
) -> Response:
    children = targets.target_figures(db, actor=user, target=target)
    name_children(db, children)
    rows = [figure_cells(f) for f in sorted(children.values(), key=lambda f: f.code)]
    return export_response(fmt, f"sasaran-{target_id}-kecamatan", FIGURE_HEADER, rows)


@router.get("/pemantauan/sasaran/{target_id}/potret.{fmt}", name="target_snapshots_export")
def target_snapshots_export(
    target_id: int, fmt: str, db: DB, user: Manager, target: OwnTarget
) -> Response:
    rows = [snapshot_cells(s) for s in targets.snapshots(db, target=target)]
    return export_response(fmt, f"sasaran-{target_id}-potret", SNAPSHOT_HEADER, rows)
