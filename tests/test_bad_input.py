"""Bad input in every form: a clear message in the user's language, what was typed kept, never a 500."""

import pytest
from markupsafe import escape

from blueprints.auth import accounts
from blueprints.auth import queries as staff_queries

from .conftest import PASSWORD, csrf_token_from, translated
from .test_outbox import reference_data  # noqa: F401 (a fixture)

LONG = "x" * 10_000
MIXED = "Amina أمينة 123 abc"
BIDI_OVERRIDE = "abc\u202edcba"
BAD_VALUES = ["", "   ", LONG, MIXED, BIDI_OVERRIDE, "\x00", "<script>alert(1)</script>"]


def post_with_token(client, url, data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def assert_refused_kindly(response, typed=None):
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:500]
    assert 'class="error"' in html or 'role="alert"' in html
    if typed is not None and typed.strip() and "\x00" not in typed:
        assert f'value="{escape(typed)}"' in html


@pytest.mark.parametrize("lang", ["da", "ar"])
@pytest.mark.parametrize("value", BAD_VALUES)
def test_login_with_bad_username(client, staff, lang, value):
    response = post_with_token(client, f"/{lang}/login", {"username": value, "password": "wrong password"})
    assert_refused_kindly(response, typed=value)


@pytest.mark.parametrize("value", BAD_VALUES)
def test_login_with_bad_password(client, staff, value):
    response = post_with_token(client, "/ur/login", {"username": "admin", "password": value})
    assert_refused_kindly(response, typed="admin")


def test_login_with_fields_missing_or_repeated(app, client, db, staff):
    response = post_with_token(client, "/ar/login", {})
    assert_refused_kindly(response)
    assert translated(app, "ar", "Enter your username.") in response.get_data(as_text=True)
    logged_in = "SELECT user_id FROM staff_sessions WHERE user_id IS NOT NULL"
    assert db.execute(logged_in).fetchall() == []
    # A field sent twice counts once, as a browser sends it: the first value (and its password) logs in.
    response = post_with_token(
        client, "/da/login", {"username": ["admin", "coordinator"], "password": PASSWORD}
    )
    assert (response.status_code, response.location) == (302, "/da/")
    assert [row["user_id"] for row in db.execute(logged_in)] == [staff["admin"]]
    assert client.get("/da/admin/users").status_code == 200  # the admin's page, not the coordinator's 403


def is_valid(field, value):
    """Names and passwords may be in any script (and are escaped); the display name is optional."""
    if field in ("display_name", "password") and value in (MIXED, "<script>alert(1)</script>"):
        return True
    return field == "display_name" and not value.strip()


@pytest.mark.parametrize("lang", ["tr", "ar"])
@pytest.mark.parametrize(
    "field, value",
    [
        (field, value)
        for field in ("username", "display_name", "role", "password")
        for value in BAD_VALUES
        if not is_valid(field, value)
    ],
)
def test_create_account_with_bad_input(app, login_as, db, lang, field, value):
    client = login_as("admin", lang=lang)
    form = {
        "username": "new.worker",
        "display_name": "Hanan حنان",
        "role": "outreach",
        "password": "long enough pw",
    }
    form[field] = value
    response = post_with_token(client, f"/{lang}/admin/users", form)
    kept = form["username"] if field != "username" else value
    assert_refused_kindly(response, typed=kept)
    assert staff_queries.user_by_username(db, "new.worker") is None


@pytest.mark.parametrize("name", ["", MIXED, "<script>alert(1)</script>"])
def test_create_account_accepts_names_in_any_script_and_escapes_them(login_as, db, name):
    client = login_as("admin")
    response = post_with_token(
        client,
        "/da/admin/users",
        {"username": "hanan", "display_name": name, "role": "facilitator", "password": "long enough pw"},
    )
    assert response.status_code == 302
    assert staff_queries.user_by_username(db, "hanan")["display_name"] == name
    html = client.get("/da/admin/users").get_data(as_text=True)
    assert "<script>alert" not in html


def test_create_account_with_a_taken_username_says_so_and_keeps_the_form(app, login_as):
    client = login_as("admin", lang="ur")
    response = post_with_token(
        client,
        "/ur/admin/users",
        {
            "username": "Coordinator",
            "display_name": "Someone",
            "role": "coordinator",
            "password": "long enough pw",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert translated(app, "ur", "That username is taken.") in html
    assert 'value="Someone"' in html


def test_create_account_with_a_list_for_role_takes_the_first_as_a_browser_sends_it(app, login_as, db):
    client = login_as("admin")
    response = post_with_token(
        client,
        "/da/admin/users",
        {"username": "two.roles", "role": ["admin", "outreach"], "password": "long enough pw"},
    )
    assert (response.status_code, response.location) == (302, "/da/admin/users")
    assert staff_queries.user_by_username(db, "two.roles")["role"] == "admin"
    assert db.execute("SELECT count(*) FROM users WHERE username = 'two.roles'").fetchone()[0] == 1
    page = client.get(response.location).get_data(as_text=True)
    assert translated(app, "da", "The account %(username)s is created.", username="two.roles") in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("new_password", "short", "A password has %(min)d to %(max)d characters."),
        ("new_password", LONG, "A password has %(min)d to %(max)d characters."),
        ("confirm_password", "something else", "The two new passwords are not the same."),
        ("current_password", "", "Enter your current password."),
    ],
)
def test_change_password_with_bad_input(app, login_as, field, value, message):
    client = login_as("coordinator", lang="ar")
    form = {
        "current_password": PASSWORD,
        "new_password": "a good new one",
        "confirm_password": "a good new one",
    }
    form[field] = value
    if field == "new_password":
        form["confirm_password"] = value
    response = post_with_token(client, "/ar/account", form)
    assert_refused_kindly(response)
    text = translated(app, "ar", message, min=accounts.MIN_PASSWORD_LENGTH, max=200)
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["abc", "", "1" * 50])
def test_toggle_with_bad_ids_and_values_never_fails(app, login_as, db, staff, value):
    """Only "1" enables: any other value disables, as the form's "0" does."""
    client = login_as("admin")
    token = csrf_token_from(client.get("/da/admin/users").get_data(as_text=True))
    response = client.post(
        f"/da/admin/users/{staff['outreach']}/active", data={"csrf_token": token, "active": value}
    )
    assert (response.status_code, response.location) == (302, "/da/admin/users")
    assert staff_queries.user_by_username(db, "outreach")["active"] == 0
    row = client.get("/da/admin/users").get_data(as_text=True).split(f'<tr id="user-{staff["outreach"]}">')[1]
    assert translated(app, "da", "Disabled") in row.split("</tr>")[0]
    assert staff_queries.user_by_username(db, "coordinator")["active"] == 1  # no other account changed
    for user_id in ("99999999999999999999", "999999"):
        response = client.post(f"/da/admin/users/{user_id}/active", data={"csrf_token": token})
        assert response.status_code == 404
        assert translated(app, "da", "This page does not exist.") in response.get_data(as_text=True)


def test_an_admin_cannot_disable_herself(login_as, staff):
    client = login_as("admin")
    token = csrf_token_from(client.get("/da/admin/users").get_data(as_text=True))
    response = client.post(
        f"/da/admin/users/{staff['admin']}/active", data={"csrf_token": token, "active": "0"}
    )
    assert response.status_code == 409


# ---- The outbox and names in every script -------------------------------------------------------------------


@pytest.fixture
def outreach_phone(app, staff, reference_data):  # noqa: F811
    from .conftest import login
    from .test_outbox import Phone

    client = app.test_client()
    assert login(client, "outreach").status_code == 302
    return Phone(client)


def test_a_body_nested_too_deep_answers_400_as_json(outreach_phone):
    headers = {"X-CSRFToken": outreach_phone.token(), "Content-Type": "application/json"}
    deep = '{"items": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = outreach_phone.client.post("/api/v1/outbox", data=deep, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    deep_data = '{"items": [{"id": "x", "kind": "signup", "data": ' + "[" * 5000 + "]" * 5000 + "}]}"
    response = outreach_phone.client.post("/api/v1/outbox", data=deep_data, headers=headers)
    assert response.status_code in (200, 400)
    assert response.is_json


@pytest.mark.parametrize(
    "name",
    ["مهر\u200cانگیز", "Zeyne\u200db", "\u061cفاطمة"],  # ZWNJ (Persian, Urdu), ZWJ, the Arabic letter mark
)
def test_names_with_joiners_and_the_arabic_letter_mark_are_accepted(db, outreach_phone, name):
    from .test_outbox import signup_item

    (answer,) = outreach_phone.send([signup_item(db, first_name=name)]).get_json()["results"]
    assert answer["status"] == "ok", answer
    assert db.execute("SELECT first_name FROM participants").fetchone()[0] == name


@pytest.mark.parametrize(
    "name",
    [
        "Amina\u202e",
        "\u2066Amina\u2069",
        "Ami\u200bna",
        "\u200c\u200d",
    ],  # override, isolates, zero width, only joiners
)
def test_names_with_bidi_overrides_or_nothing_visible_are_refused(db, outreach_phone, name):
    from .test_outbox import signup_item

    (answer,) = outreach_phone.send([signup_item(db, first_name=name)]).get_json()["results"]
    assert answer["status"] == "invalid", answer
