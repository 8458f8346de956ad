"""Notifications: deadline reminders on the right local day (WIB/WITA/WIT), rejected items,
mail only to verified addresses with an unsubscribe link, the in-app list and preferences."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.accounts.principal import Principal
from perdes.checklist import services as checklist
from perdes.checklist.loading import load_bundled
from perdes.db import utcnow
from perdes.mail.models import OutboxMessage
from perdes.notifications import services as notifications
from perdes.notifications.models import Notification
from perdes.notifications.reminders import send_deadline_reminders, village_zone, zone_label
from perdes.regions.importer import import_regions, read_region_csv
from perdes.tracking import services as tracking
from tests.factories import LONTAR, SUSUKAN, make_user

BASE = "https://perdes.example.id"
KEY = "kunci-uji"
# One village per time zone: Lontar (Banten, WIB), plus Bali (WITA) and Papua (WIT).
EXTRA = (
    "kode,nama\n51,Bali\n51.01,Kabupaten Jembrana\n51.01.01,Negara\n"
    "51.01.01.2001,Baler Bale Agung\n"
    "91,Papua\n91.03,Kabupaten Jayapura\n91.03.01,Sentani\n91.03.01.2001,Hinekombe\n"
)
BALI, PAPUA = "51.01.01.2001", "91.03.01.2001"
DUE = date(2026, 12, 10)


@pytest.fixture()
def villages(db, regions):
    assert import_regions(db, read_region_csv(EXTRA.encode())).written
    operators = {}
    for code in (LONTAR, BALI, PAPUA):
        adoption = tracking.start_adoption(db, actor=Principal.system(), village_code=code)
        adoption.next_deadline_on = DUE
        operators[code] = make_user(db, "operator", (code,), username=f"op.{code[:2]}")
    other = make_user(db, "operator", (SUSUKAN,), username="op.susukan")
    db.flush()
    return operators, other


def _count(db, user) -> int:
    return len(db.scalars(select(Notification).where(Notification.user_id == user.id)).all())


def test_time_zones_follow_the_province():
    assert [zone_label(village_zone(c)) for c in (LONTAR, BALI, PAPUA, "63.01")] == [
        "WIB",
        "WITA",
        "WIT",
        "WITA",
    ]


def test_reminders_come_on_the_right_local_day_once(db, villages):
    operators, other = villages
    # 23:00 UTC on 6 Dec = 7 Dec 08:00 WIT, 07:00 WITA, but 06:00 WIB (too early).
    night = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    assert send_deadline_reminders(db, days_before=3, now=night) == 2
    assert (_count(db, operators[PAPUA]), _count(db, operators[BALI])) == (1, 1)
    assert _count(db, operators[LONTAR]) == 0
    # An hour later it is 07:00 in Banten; the others are not reminded twice.
    assert send_deadline_reminders(db, days_before=3, now=night + timedelta(hours=1)) == 1
    assert [_count(db, operators[c]) for c in (LONTAR, BALI, PAPUA)] == [1, 1, 1]
    [note] = db.scalars(
        select(Notification).where(Notification.user_id == operators[LONTAR].id)
    ).all()
    assert "10 Desember 2026" in note.title and "3 hari lagi" in note.body
    assert note.path == f"/desa/{LONTAR}"
    # Not on the other days; then once on the day it is overdue (11 Dec local).
    assert send_deadline_reminders(db, days_before=3, now=night + timedelta(days=2)) == 0
    overdue = datetime(2026, 12, 11, 1, 0, tzinfo=UTC)  # 08:00 WIB, 09:00 WITA, 10:00 WIT
    assert send_deadline_reminders(db, days_before=3, now=overdue) == 3
    assert (
        "Terlambat"
        in db.scalars(
            select(Notification.title)
            .where(Notification.user_id == operators[PAPUA].id)
            .order_by(Notification.id.desc())
        ).first()
    )
    assert _count(db, other) == 0, "only the village's own operators"


def test_a_rejected_item_notifies_the_village_and_mails_a_verified_address(db, villages):
    operators, other = villages
    load_bundled(db, actor=Principal.system())
    operator = operators[LONTAR]
    operator.email, operator.email_verified_at = "op@example.id", utcnow()
    other.email, other.email_verified_at = "lain@example.id", utcnow()
    op = accounts.principal_for(operator)
    monitor = accounts.principal_for(make_user(db, "pemantau", ("36.04",)))
    args = {
        "village_code": LONTAR,
        "framework_slug": "desa-pmi-prosedural",
        "item_key": "satgas-komunitas-pmi",
    }
    checklist.answer_item(db, actor=op, status="terpenuhi", **args)
    checklist.verify_item(
        db, actor=monitor, decision="ditolak", reason="SK belum dilampirkan", **args
    )
    db.commit()  # the end of the monitor's transaction: the notice is made before it commits
    [note] = db.scalars(select(Notification).where(Notification.user_id == operator.id)).all()
    assert note.kind == "item_rejected" and "SK belum dilampirkan" in note.body
    assert _count(db, other) == 0
    assert notifications.mail_pending(db, base_url=BASE, secret_key=KEY) == 1
    [mail] = db.scalars(select(OutboxMessage)).all()
    assert mail.to_address == "op@example.id" and "SK belum dilampirkan" in mail.body_text
    assert f"{BASE}/desa/{LONTAR}/ceklis/desa-pmi-prosedural/satgas-komunitas-pmi" in mail.body_text
    unsubscribe = re.search(rf"{BASE}/berhenti/(\S+)", mail.body_text).group(1)
    assert unsubscribe in mail.body_html
    assert notifications.mail_pending(db, base_url=BASE, secret_key=KEY) == 0, "mailed once"
    notifications.unsubscribe(db, secret_key=KEY, token=unsubscribe)
    checklist.answer_item(db, actor=op, status="terpenuhi", note="dilampirkan", **args)
    checklist.verify_item(db, actor=monitor, decision="ditolak", reason="Masih kurang", **args)
    db.commit()
    assert _count(db, operator) == 2, "still shown in the app"
    assert notifications.mail_pending(db, base_url=BASE, secret_key=KEY) == 0, "not mailed"


def test_unverified_addresses_get_no_notification_mail(db, villages):
    operators, _ = villages
    operators[LONTAR].email = "belum@example.id"
    send_deadline_reminders(db, days_before=3, now=datetime(2026, 12, 7, 3, 0, tzinfo=UTC))
    assert _count(db, operators[LONTAR]) == 1
    assert notifications.mail_pending(db, base_url=BASE, secret_key=KEY) == 0


@pytest.mark.parametrize("token", ["", "1.item_rejected.x", "1.lain.abc", "abc", "9" * 120])
def test_forged_unsubscribe_links_are_refused(db, token):
    with pytest.raises(Exception) as exc:
        notifications.unsubscribe(db, secret_key=KEY, token=token)
    assert "tidak valid" in str(exc.value)


def test_the_in_app_list_with_unread_count_and_preferences(client, db, villages, settings):
    operators, _ = villages
    send_deadline_reminders(db, days_before=3, now=datetime(2026, 12, 7, 3, 0, tzinfo=UTC))
    client.login(operators[LONTAR].username)
    page = BeautifulSoup(client.get("/pemberitahuan").text, "html.parser")
    assert page.select_one("[data-testid=unread-count]").text == "1 belum dibaca"
    assert len(page.select("[data-testid=notification]")) == 1
    read = BeautifulSoup(client.post("/pemberitahuan/dibaca").text, "html.parser")
    assert read.select_one("[data-testid=unread-count]").text == "0 belum dibaca"
    saved = client.post("/pemberitahuan/preferensi", {"email": "item_rejected"})
    boxes = BeautifulSoup(saved.text, "html.parser").select("input[name=email]")
    checked = {b["value"]: b.has_attr("checked") for b in boxes}
    assert checked["item_rejected"] and not checked["deadline_reminder"]
    assert set(checked) == set(notifications.KINDS)
    token = notifications.unsubscribe_token(
        settings.effective_secret_key, operators[LONTAR].id, "item_rejected"
    )
    client.raw.cookies.clear()
    assert client.get(f"/berhenti/{token}").status_code == 200
    done = client.post(f"/berhenti/{token}")
    assert done.status_code == 200 and "Butir ceklis ditolak" in done.text
    assert client.get(f"/berhenti/{token[:-1]}x").status_code == 404


def test_digests_and_queue_notes_respect_each_monitors_scope(db, regions):
    from perdes.notifications.digests import send_queue_notes, send_weekly_digests
    from tests.factories import SUKRA

    load_bundled(db, actor=Principal.system())
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
    for code in (LONTAR, SUKRA):
        adoption = tracking.start_adoption(db, actor=Principal.system(), village_code=code)
        adoption.next_deadline_on = date(2026, 12, 5)
    operator = accounts.principal_for(make_user(db, "operator", (LONTAR,)))
    checklist.answer_item(
        db,
        actor=operator,
        village_code=LONTAR,
        framework_slug="desa-pmi-prosedural",
        item_key="satgas-komunitas-pmi",
        status="terpenuhi",
    )
    serang = make_user(db, "pemantau", ("36.04",), username="pemantau.serang")
    indramayu = make_user(db, "pemantau", ("32.12",), username="pemantau.indramayu")
    db.flush()
    assert send_weekly_digests(db, now=now) == 2
    assert send_weekly_digests(db, now=now + timedelta(hours=1)) == 0, "once a week"

    def body(user, kind):  # type: ignore[no-untyped-def]
        return db.scalar(
            select(Notification.body).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )

    assert "Lontar" in body(serang, "weekly_digest") and "Sukra" not in body(
        serang, "weekly_digest"
    )
    assert "Sukra" in body(indramayu, "weekly_digest")
    assert "Lontar" not in body(indramayu, "weekly_digest")
    assert "menunggu verifikasi: 1 di 1 desa" in body(serang, "weekly_digest")
    assert send_queue_notes(db, now=now) == 1
    assert "Lontar (1)" in body(serang, "queue_waiting")
    assert body(indramayu, "queue_waiting") is None
