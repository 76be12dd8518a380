"""Staff login, logout, server-side sessions, rate limit and passwords."""

import pytest

from blueprints.auth import accounts
from blueprints.auth import queries as staff_queries

from .conftest import PASSWORD, ROLES, csrf_token_from, login, post_form, translated


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_and_lands_on_its_home(client, staff, role):
    response = login(client, role)
    assert response.status_code == 302
    assert response.location == "/da/"
    home = client.get("/da/").get_data(as_text=True)
    assert "<h1>" in home and "/da/logout" in home


def test_wrong_password_is_refused_with_a_message_and_the_username_kept(app, client, staff):
    response = login(client, "coordinator", password="wrong password here")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert translated(app, "da", "Wrong username or password.") in html
    assert 'value="coordinator"' in html
    assert client.get("/da/").status_code == 302


def test_unknown_user_gets_the_same_message_as_a_wrong_password(app, client, staff):
    html = login(client, "nobody", password="whatever it is", lang="ar").get_data(as_text=True)
    assert translated(app, "ar", "Wrong username or password.") in html


def test_the_app_hashes_with_argon2s_recommended_parameters_outside_the_tests():
    import json
    import subprocess
    import sys

    from argon2 import PasswordHasher

    script = (
        "import json; from blueprints.auth import accounts as a; h = a.password_hasher;"
        "print(json.dumps([h.time_cost, h.memory_cost, h.parallelism]))"
    )
    used = json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout)
    recommended = PasswordHasher()
    assert used == [recommended.time_cost, recommended.memory_cost, recommended.parallelism]
    assert used[1] >= 65536  # 64 MiB at least


def test_passwords_are_stored_as_argon2id(db, staff):
    user = staff_queries.user_by_username(db, "admin")
    assert user["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in user["password_hash"]


def test_login_is_rate_limited_after_repeated_failures(app, client, staff):
    for _ in range(accounts.FAILURES_PER_NAME_AND_PLACE):
        assert login(client, "outreach", password="wrong password").status_code == 400
    blocked = login(client, "outreach")  # even the right password waits now
    assert blocked.status_code == 429
    message = "Too many failed attempts. Wait 15 minutes and try again."
    assert translated(app, "da", message) in blocked.get_data(as_text=True)


def test_the_limit_counts_per_username(client, staff):
    for _ in range(accounts.FAILURES_PER_NAME_AND_PLACE):
        login(client, "outreach", password="wrong password")
    assert login(client, "facilitator").status_code == 302


def test_logout_makes_the_old_cookie_worthless(app, client, staff):
    login(client, "coordinator")
    stolen = client.get_cookie("session").value
    home = client.get("/da/").get_data(as_text=True)
    client.post("/da/logout", data={"csrf_token": csrf_token_from(home)})
    assert client.get("/da/").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/da/")
    assert response.status_code == 302
    assert response.location == "/da/login?next=/da/"


def test_disabling_a_user_ends_her_sessions_at_once(app, db, client, staff):
    login(client, "facilitator")
    assert client.get("/da/").status_code == 200
    accounts.set_active(db, staff["facilitator"], False, staff["admin"])
    assert client.get("/da/").status_code == 302
    assert login(client, "facilitator").status_code == 400


def test_login_gives_a_new_session_id(client, staff):
    client.get("/da/login")
    before = client.get_cookie("session").value
    login(client, "admin")
    assert client.get_cookie("session").value != before


def test_login_goes_back_to_the_page_asked_for(client, staff):
    response = client.get("/da/account")
    assert response.location == "/da/login?next=/da/account"
    token = csrf_token_from(client.get(response.location).get_data(as_text=True))
    response = client.post(
        "/da/login?next=/da/account",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD},
    )
    assert response.location == "/da/account"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/%09/evil.example",
        "/\t/evil.example",
        "/da/admin/users/1/active",
        "/nowhere",
    ],
)
def test_login_never_sends_to_another_site(client, staff, target):
    token = csrf_token_from(client.get("/da/login").get_data(as_text=True))
    response = client.post(
        f"/da/login?next={target}",
        data={"csrf_token": token, "username": "admin", "password": PASSWORD},
    )
    assert response.location == "/da/"


def test_a_form_without_csrf_token_is_refused_and_keeps_what_was_typed(app, client, staff):
    response = client.post("/tr/login", data={"username": "admin", "password": PASSWORD})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert translated(app, "tr", "This form has expired. Send it again.") in html
    assert 'value="admin"' in html
    assert client.get("/tr/").status_code == 302


def test_other_posts_without_csrf_token_are_refused(app, login_as, staff, db):
    client = login_as("admin")
    response = client.post(f"/da/admin/users/{staff['outreach']}/active", data={"active": "0"})
    assert response.status_code == 400
    assert staff_queries.user_by_id(db, staff["outreach"])["active"] == 1
    assert client.post("/da/logout").status_code == 400
    response = client.post("/api/v1/outbox", json={"items": []})
    assert response.status_code == 400 and response.get_json()["error"] == "csrf"


def test_htmx_sends_the_csrf_token_as_a_header(login_as, db, staff):
    client = login_as("admin")
    token = csrf_token_from(client.get("/da/admin/users").get_data(as_text=True))
    response = client.post(
        f"/da/admin/users/{staff['outreach']}/active",
        data={"active": "0"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith("<tr")
    assert staff_queries.user_by_id(db, staff["outreach"])["active"] == 0


def test_changing_the_password_needs_the_current_one(login_as, db, staff):
    client = login_as("outreach")
    response = post_form(
        client,
        "/da/account",
        {
            "current_password": "not it at all",
            "new_password": "a new long one",
            "confirm_password": "a new long one",
        },
    )
    assert response.status_code == 400
    response = post_form(
        client,
        "/da/account",
        {
            "current_password": PASSWORD,
            "new_password": "a new long one",
            "confirm_password": "a new long one",
        },
    )
    assert response.status_code == 302
    assert accounts.check_password(db, "outreach", "a new long one") is not None


def test_an_htmx_request_after_the_login_expired_asks_for_a_whole_page(app, client, db, staff):
    assert login(client, "admin").status_code == 302
    token = csrf_token_from(client.get("/da/admin/users").get_data(as_text=True))
    db.execute("DELETE FROM staff_sessions")  # the login expired, the page stayed open
    response = client.post(
        f"/da/admin/users/{staff['outreach']}/active",
        data={"csrf_token": token, "active": "0"},
        headers={"HX-Request": "true"},
    )
    # Its token went with the session: the change is refused as a form that expired, and nothing changes.
    assert response.status_code == 400 and "HX-Redirect" not in response.headers
    message = "This form has expired. Go back, reload the page and send it again."
    assert translated(app, "da", message) in response.get_data(as_text=True)
    assert db.execute("SELECT active FROM users WHERE id = ?", [staff["outreach"]]).fetchone()[0] == 1
    response = client.get("/da/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/da/login?next=/da/admin/users"


def test_the_audit_log_names_the_admin_who_made_an_account(login_as, db, staff):
    client = login_as("admin")
    post_form(
        client, "/da/admin/users", {"username": "newbie", "role": "outreach", "password": "long enough pw"}
    )
    row = db.execute("SELECT * FROM audit_log WHERE action = 'user.create' ORDER BY id DESC").fetchone()
    assert row["user_id"] == staff["admin"]
