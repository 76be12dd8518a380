"""Security headers on every response, and no caching of staff pages."""

import pytest

PAGES = [
    "/da/login",
    "/ar/offline",
    "/da/",
    "/da/account",
    "/da/admin/users",
    "/sw.js",
]
DATA = ["/da/manifest.webmanifest", "/api/v1/roster", "/api/v1/offline-kit"]


@pytest.mark.parametrize("url", PAGES)
def test_every_response_has_the_security_headers(login_as, url):
    client = login_as("admin")
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("url", DATA)
def test_data_may_run_nothing_and_is_never_framed(login_as, url):
    headers = login_as("admin").get(url).headers
    assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("url", ["/da/", "/da/account", "/da/admin/users", "/da/consent", "/da/login"])
def test_staff_pages_are_never_stored_by_the_browser(login_as, url):
    client = login_as("admin")
    assert client.get(url).headers["Cache-Control"] == "no-store"


def test_staff_pages_may_use_the_camera_and_others_may_not(login_as, client):
    assert "camera=()" in client.get("/da/login").headers["Permissions-Policy"]
    staff_client = login_as("facilitator")
    assert "camera=(self)" in staff_client.get("/da/").headers["Permissions-Policy"]


def test_no_inline_script_on_any_page(login_as):
    client = login_as("admin")
    for url in ["/da/login", "/da/", "/da/admin/users", "/da/account", "/da/offline"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and "style=" not in html, url


def test_session_cookie_is_http_only_and_same_site(client, staff):
    from .conftest import login

    response = login(client, "admin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sessions_table_holds_only_hashes_of_the_cookie(client, staff, db):
    from .conftest import login

    login(client, "admin")
    sid = client.get_cookie("session").value
    stored = [row["id_hash"] for row in db.execute("SELECT id_hash FROM staff_sessions")]
    assert sid not in stored and len(stored) >= 1


def test_logs_never_carry_the_password_or_username_in_the_audit_log(client, staff, db):
    from .conftest import PASSWORD, login

    login(client, "coordinator")
    rows = [tuple(row) for row in db.execute("SELECT * FROM audit_log")]
    assert rows and not any("coordinator" in str(row) or PASSWORD in str(row) for row in rows)


def test_links_the_app_writes_out_are_on_the_public_url_and_other_hosts_are_refused(
    tmp_path, template_databases
):
    import shutil

    from app import create_app

    from .conftest import PASSWORD

    path = tmp_path / "public.sqlite"
    shutil.copyfile(template_databases["staff"], path)
    app = create_app(
        {
            "DATABASE": str(path),
            "SECRET_KEY": "x",
            "PUBLIC_URL": "https://kalender.ishoj.dk/",
            "SMS_SENDER": "file",
            "SMS_FILE": str(tmp_path / "sms.jsonl"),
        }
    )
    client = app.test_client()
    forged = client.get("/da/login", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    login_page = client.get("/da/login", base_url="https://kalender.ishoj.dk")
    assert login_page.status_code == 200
    with app.test_request_context("/", base_url="https://kalender.ishoj.dk"):
        from addresses import external_url

        assert external_url("me.feed", feed_token="abc") == "https://kalender.ishoj.dk/da/c/feed/abc.ics"
    assert PASSWORD


def test_a_production_server_does_not_start_without_its_public_url(tmp_path, template_databases):
    import shutil

    from addresses import NoPublicUrl
    from app import create_app

    path = tmp_path / "public.sqlite"
    shutil.copyfile(template_databases["staff"], path)
    with pytest.raises(NoPublicUrl, match="FLASK_PUBLIC_URL"):
        create_app({"DATABASE": str(path), "SECRET_KEY": "x"})
    with pytest.raises(NoPublicUrl, match="a scheme and a host"):
        create_app({"DATABASE": str(path), "SECRET_KEY": "x", "PUBLIC_URL": "kalender.ishoj.dk/app"})


def test_over_https_the_login_cookie_is_secure_and_host_only(tmp_path, template_databases):
    import shutil

    from app import create_app

    from .conftest import PASSWORD, csrf_token_from

    path = tmp_path / "https.sqlite"
    shutil.copyfile(template_databases["staff"], path)
    config = {"DATABASE": str(path), "SECRET_KEY": "x", "PUBLIC_URL": "https://kalender.ishoj.dk"}
    app = create_app({**config, "REQUIRE_2FA": False})  # the password is the whole login here
    client = app.test_client()
    base = "https://kalender.ishoj.dk"
    token = csrf_token_from(client.get("/da/login", base_url=base).get_data(as_text=True))
    response = client.post(
        "/da/login",
        base_url=base,
        data={"csrf_token": token, "username": "coordinator", "password": PASSWORD},
    )
    assert response.status_code == 302
    cookie = next(
        value for name, value in response.headers.items() if name == "Set-Cookie" and "session=" in value
    )
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    assert client.get("/da/", base_url=base).status_code == 200  # logged in with it


@pytest.mark.usefixtures("fixed_clock")
def test_a_login_ends_seven_days_after_it_began_however_busy(app, db, staff, login_as):
    from datetime import timedelta

    import clock

    client = login_as("coordinator")
    began = clock.now()
    for hours in range(11, 7 * 24, 11):  # used every 11 hours: never 12 hours idle
        with clock.fixed(began + timedelta(hours=hours)):
            assert client.get("/da/").status_code == 200, hours
    with clock.fixed(began + timedelta(days=7, minutes=1)):
        response = client.get("/da/")
        assert response.status_code == 302 and "/login" in response.location
    assert db.execute("SELECT count(*) FROM staff_sessions WHERE user_id IS NOT NULL").fetchone()[0] == 0
