"""Admin: the mail outbox, readable here whether or not an SMTP server is configured."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts.principal import Principal
from perdes.mail import outbox
from perdes.mail.models import MailStatus
from perdes.web.deps import DB, AppSettings
from perdes.web.htmx import render
from perdes.web.permissions import requires

router = APIRouter(prefix="/admin/surat")

MailReader = Annotated[Principal, Depends(requires("mail.view"))]
STATUS_LABELS = {
    MailStatus.PENDING: "menunggu",
    MailStatus.SENT: "terkirim",
    MailStatus.FAILED: "gagal",
}


@router.get("", name="admin_mail")
def mail_list(
    request: Request,
    db: DB,
    settings: AppSettings,
    user: MailReader,
    status: str = "",
    halaman: int = 1,
) -> Response:
    page = outbox.list_messages(db, actor=user, status=status, page=halaman)
    return render(
        request,
        "admin/mail.html",
        {
            "user": user,
            "page": page,
            "params": {"status": status},
            "labels": STATUS_LABELS,
            "smtp_configured": bool(settings.smtp_host),
        },
        block="results",
    )


@router.get("/{message_id}", name="admin_mail_detail")
def mail_detail(request: Request, message_id: int, db: DB, user: MailReader) -> Response:
    message = outbox.get_message(db, actor=user, message_id=message_id)
    return render(
        request,
        "admin/mail_detail.html",
        {"user": user, "message": message, "labels": STATUS_LABELS},
    )
