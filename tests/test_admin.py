"""An administrator gives a colleague a new password or another role; both end up in the audit log."""

import pytest

from blueprints.auth import accounts
from blueprints.auth import queries as staff_queries

from .conftest import PASSWORD, csrf_token_from, login, translated


def post_on_user_page(client, user_id, action, data, lang="da"):
    page = client.get(f"/{lang}/admin/users/{user_id}").get_data(as_text=True)
    prefix = "password" if action == "password" else "role"
    token = csrf_token_from(page.replace(f'name="{prefix}-csrf_token"', 'name="csrf_token"'))
    return client.post(
        f"/{lang}/admin/users/{user_id}/{action}",
        data={f"{prefix}-csrf_token": token, **{f"{prefix}-{key}": value for key, value in data.items()}},
    )


def audit(db, action):
    return [
        tuple(row) for row in db.execute("SELECT user_id, record FROM audit_log WHERE action = ?", [action])
    ]


def test_a_new_password_logs_her_out_everywhere_and_works(app, db, staff, login_as):
    her_phone = app.test_client()
    login(her_phone, "facilitator")
    admin = login_as("admin")
    response = post_on_user_page(admin, staff["facilitator"], "password", {"password": "a brand new secret"})
    assert response.status_code == 302
    assert response.location == f"/da/admin/users/{staff['facilitator']}"
    assert her_phone.get("/da/").status_code == 302  # her old session ended
    assert login(app.test_client(), "facilitator", password="a brand new secret").status_code == 302
    refused = login(app.test_client(), "facilitator", password=PASSWORD)  # the old one no longer works
    assert refused.status_code == 400
    assert audit(db, "user.password_reset") == [(staff["admin"], f"user:{staff['facilitator']}")]


@pytest.mark.parametrize("lang", ["da", "ar"])
def test_a_too_short_password_is_explained_in_her_language_and_nothing_changes(
    app, db, staff, login_as, lang
):
    admin = login_as("admin", lang=lang)
    response = post_on_user_page(admin, staff["facilitator"], "password", {"password": "short"}, lang)
    assert response.status_code == 400
    message = translated(app, lang, "A password has %(min)d to %(max)d characters.", min=10, max=200)
    assert message in response.get_data(as_text=True)
    assert login(app.test_client(), "facilitator").status_code == 302  # the old password still works
    assert audit(db, "user.password_reset") == []


def test_a_role_change_takes_effect_at_once_and_is_logged(app, db, staff, login_as):
    her_phone = app.test_client()
    login(her_phone, "outreach")
    assert her_phone.get("/da/groups").status_code == 403
    admin = login_as("admin")
    response = post_on_user_page(admin, staff["outreach"], "role", {"role": "facilitator"})
    assert response.status_code == 302
    assert staff_queries.user_by_id(db, staff["outreach"])["role"] == "facilitator"
    assert her_phone.get("/da/groups").status_code == 200  # the next page she opens knows her new role
    assert audit(db, "user.role_change") == [(staff["admin"], f"user:{staff['outreach']}")]


def test_an_administrator_cannot_change_her_own_role(app, db, staff, login_as):
    admin = login_as("admin")
    response = post_on_user_page(admin, staff["admin"], "role", {"role": "outreach"})
    assert response.status_code == 400
    message = translated(app, "da", "You cannot change your own role. Ask another administrator.")
    assert message in response.get_data(as_text=True)
    assert staff_queries.user_by_id(db, staff["admin"])["role"] == "admin"


def test_an_unknown_role_is_refused_with_a_message(app, db, staff, login_as):
    admin = login_as("admin")
    response = post_on_user_page(admin, staff["outreach"], "role", {"role": "superuser"})
    assert response.status_code == 400
    assert translated(app, "da", "Choose one of the roles.") in response.get_data(as_text=True)
    assert staff_queries.user_by_id(db, staff["outreach"])["role"] == "outreach"


def test_the_last_active_administrator_keeps_her_role(db, staff):
    other_admin = accounts.create_user(db, "second", "admin", PASSWORD)
    accounts.set_active(db, staff["admin"], False, other_admin)
    with pytest.raises(accounts.LastAdministrator):
        accounts.change_role(db, other_admin, "coordinator", other_admin)
    accounts.set_active(db, staff["admin"], True, other_admin)
    accounts.change_role(db, other_admin, "coordinator", staff["admin"])  # another admin remains: allowed
    assert staff_queries.user_by_id(db, other_admin)["role"] == "coordinator"


def test_the_accounts_list_links_each_account_to_its_page(staff, login_as):
    html = login_as("admin").get("/da/admin/users").get_data(as_text=True)
    assert f'href="/da/admin/users/{staff["outreach"]}"' in html
