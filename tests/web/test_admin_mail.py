"""The outbox page: admins read queued mail when no SMTP server is configured."""

from bs4 import BeautifulSoup

from perdes.mail.outbox import queue_mail


def test_admin_reads_the_outbox_and_a_message(client, db, regions):
    message = queue_mail(
        db,
        to_address="sekdes@example.id",
        template="test_message",
        context={"full_name": "Sekdes <b>Lontar</b>"},
    )
    client.login_as(db, "admin")
    page = client.get("/admin/surat")
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assert "SMTP" in html.select_one("main .notice").text
    row = html.select_one("#mail-results tbody tr")
    assert "sekdes@example.id" in row.text and "menunggu" in row.text
    detail = client.get(row.select_one("a")["href"])
    body = BeautifulSoup(detail.text, "html.parser").select_one("[data-testid=mail-body]")
    assert "Yth. Sekdes <b>Lontar</b>," in body.text  # shown as text, escaped in the page
    assert "<b>Lontar</b>" not in detail.text
    fragment = client.get("/admin/surat?status=sent", htmx=True)
    assert "<html" not in fragment.text and "Belum ada surel." in fragment.text
    assert client.get(f"/admin/surat/{message.id + 1000}").status_code == 404
    assert client.get("/admin/surat?halaman=abc").status_code == 422


def test_other_roles_cannot_read_the_outbox(client, db, regions):
    queue_mail(db, to_address="a@example.id", template="test_message", context={"full_name": "A"})
    client.login_as(db, "pemantau")
    assert client.get("/admin/surat").status_code == 403
