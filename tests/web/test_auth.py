"""Sign-in, sign-out, sessions, redirects for anonymous users, throttling."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.models import LoginSession
from perdes.web.permissions import SESSION_COOKIE
from tests.factories import LONTAR, PASSWORD, make_user


def test_anonymous_pages_redirect_to_login_with_next(client, db, regions):
    response = client.get(f"/desa/{LONTAR}?tab=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?next=%2Fdesa%2F36.04.13.2007%3Ftab%3D1"


def test_anonymous_api_style_and_htmx_requests_get_401(client, db, regions):
    response = client.get("/desa", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.json()["error"]["status"] == 401
    htmx = client.get("/desa", htmx=True)
    # no redirect: the page and its unsaved input stay; the app's script says the session ended
    assert htmx.status_code == 401 and "HX-Redirect" not in htmx.headers
    assert htmx.headers["HX-Login"].startswith("/masuk?next=") and "Sesi berakhir" in htmx.text


def test_login_page_and_successful_login_goes_to_next(client, db, regions):
    user = make_user(db, "operator")
    page = client.get("/masuk?next=/desa")
    html = BeautifulSoup(page.text, "html.parser")
    assert (
        html.select_one("input[name=csrf_token]")
        and html.select_one("input[name=next]")["value"] == "/desa"
    )
    response = client.post(
        "/masuk", {"username": user.username.upper(), "password": PASSWORD, "next": "/desa"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/desa"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = client.get("/desa")
    assert page.status_code == 200 and "Uji operator" in page.text


def test_login_never_redirects_off_site(client, db, regions):
    user = make_user(db, "operator")
    for target in (
        "https://jahat.example/",
        "//jahat.example",
        "/\\jahat.example",
        "javascript:alert(1)",
    ):
        client.raw.cookies.clear()
        response = client.post(
            "/masuk", {"username": user.username, "password": PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/", target


def test_wrong_user_or_password_gets_one_generic_message(client, db, regions):
    user = make_user(db, "operator")
    bad_pw = client.post("/masuk", {"username": user.username, "password": "salah-sandi-999"})
    no_user = client.post("/masuk", {"username": "tidak.ada", "password": PASSWORD})
    for response in (bad_pw, no_user):
        assert response.status_code == 422
        assert "Nama pengguna atau kata sandi salah." in response.text
    assert bad_pw.text.count("salah") == no_user.text.count("salah")


def test_repeated_failures_are_throttled_with_429(client, db, regions):
    user = make_user(db, "operator")
    for _ in range(5):
        client.post("/masuk", {"username": user.username, "password": "salah-sandi-999"})
    response = client.post("/masuk", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.text
    assert SESSION_COOKIE not in client.raw.cookies


def test_session_fixation_a_planted_session_id_is_not_adopted(client, db, regions):
    user = make_user(db, "operator")
    client.raw.cookies.set(SESSION_COOKIE, "penyerang-menanam-token-ini", domain="testserver.local")
    client.login(user.username)
    new_token = client.raw.cookies.get(SESSION_COOKIE)
    assert new_token and new_token != "penyerang-menanam-token-ini"
    first = client.raw.cookies.get(SESSION_COOKIE)
    client.login(user.username)
    assert client.raw.cookies.get(SESSION_COOKIE) != first, "a new id at every sign-in"
    sessions = db.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    assert sum(1 for s in sessions if s.revoked_at is None) == 1


def test_logout_revokes_the_session_server_side(client, db, regions):
    user = make_user(db, "operator")
    client.login(user.username)
    token = client.raw.cookies.get(SESSION_COOKIE)
    confirm = client.get("/keluar")
    assert confirm.status_code == 200 and "Akhiri sesi" in confirm.text
    response = client.post("/keluar")
    assert response.status_code == 303 and response.headers["location"] == "/masuk"
    client.raw.cookies.set(
        SESSION_COOKIE, token, domain="testserver.local"
    )  # replaying the old cookie does not work
    assert client.get("/desa").status_code == 303


def test_disabled_user_is_signed_out_at_once(client, db, regions):
    from perdes.accounts import services as accounts
    from perdes.accounts.principal import Principal

    user = make_user(db, "operator")
    client.login(user.username)
    assert client.get("/desa").status_code == 200
    accounts.set_active(db, actor=Principal.system(), user_id=user.id, active=False)
    assert client.get("/desa").status_code == 303
