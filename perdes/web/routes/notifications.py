"""The signed-in user's notifications (with the unread count) and e-mail preferences; the
one-click unsubscribe link from every notification mail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.notifications import services as notifications
from perdes.web.deps import DB, AppSettings
from perdes.web.htmx import render
from perdes.web.permissions import MaybeUser, requires

router = APIRouter()

Me = Annotated[Principal, Depends(requires("account.self"))]


def _page(
    request: Request, db: DB, user: Principal, *, halaman: int = 1, message: str = ""
) -> Response:
    return render(
        request,
        "account/notifications.html",
        {
            "user": user,
            "inbox": notifications.inbox(db, actor=user, page=halaman),
            "preferences": notifications.email_preferences(db, actor=user),
            "kinds": notifications.KINDS,
            "message": message,
        },
    )


@router.get("/pemberitahuan", name="notifications")
def notification_list(request: Request, db: DB, user: Me, halaman: int = 1) -> Response:
    return _page(request, db, user, halaman=halaman)


@router.post("/pemberitahuan/dibaca", name="notifications_read")
def notifications_read(request: Request, db: DB, user: Me) -> Response:
    notifications.mark_all_read(db, actor=user)
    return _page(request, db, user, message="Semua pemberitahuan ditandai sudah dibaca.")


@router.post("/pemberitahuan/preferensi", name="notification_preferences")
async def notification_preferences(request: Request, db: DB, user: Me) -> Response:
    form = await request.form()
    enabled = [str(v) for v in form.getlist("email")]
    notifications.set_email_preferences(db, actor=user, enabled=enabled)
    return _page(request, db, user, message="Pilihan surel disimpan.")


@router.get("/berhenti/{token}", name="unsubscribe_form")
def unsubscribe_form(
    request: Request, token: str, settings: AppSettings, user: MaybeUser
) -> Response:
    _, kind = notifications.read_unsubscribe_token(settings.effective_secret_key, token)
    return render(
        request,
        "account/unsubscribe.html",
        {"user": user, "label": notifications.KINDS[kind], "action": request.url.path},
    )


@router.post("/berhenti/{token}", name="unsubscribe")
def unsubscribe(
    request: Request, token: str, db: DB, settings: AppSettings, user: MaybeUser
) -> Response:
    kind = notifications.unsubscribe(db, secret_key=settings.effective_secret_key, token=token)
    return render(
        request,
        "account/unsubscribe.html",
        {"user": user, "label": notifications.KINDS[kind], "done": True},
    )
