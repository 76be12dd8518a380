"""Staff two-factor login, the login limits that cannot lock a colleague out, refused passwords,
anonymous visitors without a session row, the secret key's rotation, and "busy" answers under a lock."""

import re
import sqlite3
from datetime import timedelta

import pyotp
import pytest
from markupsafe import escape

import clock
import db as database
import keys
from blueprints.auth import accounts, two_factor
from qr import qr_svg

from .conftest import PASSWORD, add_woman, csrf_token_from, login, post_form, translated
from .test_outbox import Phone, count, reference_data, signup_item  # noqa: F401  (a fixture)
from .test_personal_page import open_her_link

pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def required(app):
    app.config["REQUIRE_2FA"] = True
    return app


def page(response):
    return response.get_data(as_text=True)


def secret_on(html):
    """The key the set-up page shows as text (for a phone that cannot scan)."""
    return re.search(r'<code class="secret" dir="ltr">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")


def code_for(secret, seconds_from_now=0):
    totp = pyotp.TOTP(secret)
    return totp.at(clock.now().timestamp() + seconds_from_now)


def set_up(client, lang="da"):
    """Go through the set-up page with the app's code; return (secret, recovery codes)."""
    html = page(client.get(f"/{lang}/account/two-factor"))
    secret = secret_on(html)
    data = {"csrf_token": csrf_token_from(html), "code": code_for(secret), "password": PASSWORD}
    response = client.post(f"/{lang}/account/two-factor", data=data)
    assert response.status_code == 200, page(response)
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page(response))
    return secret, codes


def second_step(client, code, lang="da"):
    html = page(client.get(f"/{lang}/login/code"))
    return client.post(f"/{lang}/login/code", data={"csrf_token": csrf_token_from(html), "code": code})


def logged_in(client):
    return client.get("/da/").status_code == 200


# ---- Setting it up ------------------------------------------------------------------------------


def test_a_coordinator_sets_it_up_at_her_first_login_and_gets_nothing_before(required, client, db, staff):
    response = login(client, "coordinator")
    assert response.headers["Location"].endswith("/da/account/two-factor")
    assert not logged_in(client)  # the password alone opens nothing
    html = page(client.get("/da/account/two-factor"))
    assert "<svg" in html and secret_on(html)
    wrong = client.post(
        "/da/account/two-factor", data={"csrf_token": csrf_token_from(html), "code": "123456"}
    )
    assert wrong.status_code == 400
    assert translated(
        required,
        "da",
        "That code does not match. Check that your phone's clock is right, and type the newest code.",
    ) in page(wrong)
    assert 'value="123456"' in page(wrong)  # what she typed stays
    assert secret_on(page(wrong)) == secret_on(html)  # the same key: her app already holds it
    secret, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert logged_in(client)
    row = db.execute(
        "SELECT totp_secret, totp_enabled_at FROM users WHERE username = 'coordinator'"
    ).fetchone()
    assert row["totp_secret"] == secret and row["totp_enabled_at"]
    stored = [
        r[0]
        for r in db.execute("SELECT code_hash FROM recovery_codes WHERE user_id = ?", [staff["coordinator"]])
    ]
    assert len(stored) == 10 and not any(code.replace("-", "") in " ".join(stored) for code in codes)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'user.two_factor_on'").fetchone()[0] == 1


def test_the_qr_code_holds_the_key_and_the_username_only(app, client, staff):
    login(client, "facilitator")
    html = page(client.get("/da/account/two-factor"))
    secret = secret_on(html)
    uri = f"otpauth://totp/Kalender:facilitator?secret={secret}&issuer=Kalender"
    assert two_factor.provisioning_uri(secret, "facilitator") == uri
    assert str(qr_svg(uri)) in html  # the code drawn on the page is that address and nothing else


def test_with_it_on_a_login_needs_a_code_that_works_once(required, client, staff, fixed_clock):
    login(client, "admin")
    secret, codes = set_up(client)
    client.post("/da/logout", data={"csrf_token": csrf_token_from(page(client.get("/da/")))})
    assert login(client, "admin").headers["Location"].endswith("/da/login/code")
    assert not logged_in(client)
    assert second_step(client, "000000").status_code == 400
    # The code that turned it on (same 30 seconds) is used up.
    used = second_step(client, code_for(secret))
    assert used.status_code == 400
    assert translated(
        required, "da", "That code is wrong or already used. Wait for the next code and try again."
    ) in page(used)
    response = second_step(client, code_for(secret, 30))  # the next code, a phone a little ahead
    assert response.status_code == 302 and logged_in(client)


def test_a_recovery_code_works_once_and_says_how_many_are_left(required, client, db, staff):
    login(client, "coordinator")
    _, codes = set_up(client)
    client.post("/da/logout", data={"csrf_token": csrf_token_from(page(client.get("/da/")))})
    login(client, "coordinator")
    response = second_step(client, codes[3].upper().replace("-", " "))  # read aloud, typed anyhow
    assert response.status_code == 302
    told = "You used a recovery code. You have %(num)d left: make new ones on your account page."
    with required.test_request_context("/da/"):
        from flask_babel import force_locale, ngettext

        with force_locale("da"):
            message = ngettext(told, told, 9)
    assert str(escape(message)) in page(client.get("/da/"))
    client.post("/da/logout", data={"csrf_token": csrf_token_from(page(client.get("/da/")))})
    login(client, "coordinator")
    assert second_step(client, codes[3]).status_code == 400
    assert db.execute("SELECT count(*) FROM recovery_codes WHERE used_at IS NOT NULL").fetchone()[0] == 1


def test_wrong_codes_are_limited_like_passwords(required, client, staff):
    login(client, "coordinator")
    secret, _ = set_up(client)
    client.post("/da/logout", data={"csrf_token": csrf_token_from(page(client.get("/da/")))})
    login(client, "coordinator")
    for _ in range(two_factor.CODES_PER_WINDOW):
        assert second_step(client, "111111").status_code == 400
    refused = second_step(client, code_for(secret, 30))
    assert refused.status_code == 429 and not logged_in(client)
    assert translated(required, "da", "Too many wrong codes. Wait 15 minutes and try again.") in page(refused)


def test_the_code_must_follow_the_password_within_ten_minutes(required, client, staff, fixed_clock):
    login(client, "coordinator")
    secret, _ = set_up(client)
    client.post("/da/logout", data={"csrf_token": csrf_token_from(page(client.get("/da/")))})
    login(client, "coordinator")
    with clock.fixed(clock.now() + timedelta(minutes=11)):
        response = second_step_without_page(client, code_for(secret))
        assert response.headers["Location"].endswith("/da/login")
        assert not logged_in(client)


def second_step_without_page(client, code):
    token = csrf_token_from(page(client.get("/da/login")))
    return client.post("/da/login/code", data={"csrf_token": token, "code": code})


def test_others_may_turn_it_on_and_off_a_coordinator_may_not_turn_it_off(required, client, db, staff):
    assert logged_in_after(login(client, "facilitator"), client)  # not required for her role
    set_up(client)
    html = page(client.get("/da/account"))
    assert translated(required, "da", "Turn the second factor off") in html
    token = csrf_token_from(html)
    wrong = client.post(
        "/da/account/two-factor/off", data={"confirm-csrf_token": token, "confirm-password": "nope nope"}
    )
    assert (
        wrong.status_code == 400
        and db.execute("SELECT totp_secret FROM users WHERE username = 'facilitator'").fetchone()[0]
    )
    right = client.post(
        "/da/account/two-factor/off", data={"confirm-csrf_token": token, "confirm-password": PASSWORD}
    )
    assert right.status_code == 302
    assert db.execute("SELECT totp_secret FROM users WHERE username = 'facilitator'").fetchone()[0] is None
    other = required.test_client()
    login(other, "coordinator")
    set_up(other)
    token = csrf_token_from(page(other.get("/da/account")))
    assert translated(required, "da", "Turn the second factor off") not in page(other.get("/da/account"))
    assert (
        other.post(
            "/da/account/two-factor/off", data={"confirm-csrf_token": token, "confirm-password": PASSWORD}
        ).status_code
        == 409
    )


def logged_in_after(response, client):
    return response.status_code == 302 and logged_in(client)


def test_new_recovery_codes_replace_the_old(required, client, db, staff):
    login(client, "coordinator")
    _, old = set_up(client)
    token = csrf_token_from(page(client.get("/da/account")))
    response = client.post(
        "/da/account/recovery-codes", data={"confirm-csrf_token": token, "confirm-password": PASSWORD}
    )
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page(response))
    assert len(new) == 10 and not set(new) & set(old)
    assert db.execute("SELECT count(*) FROM recovery_codes").fetchone()[0] == 10


def test_an_admin_resets_a_colleagues_second_factor_and_she_sets_it_up_again(required, app, db, staff):
    coordinator = app.test_client()
    login(coordinator, "coordinator")
    set_up(coordinator)
    admin = app.test_client()
    login(admin, "admin")
    set_up(admin)
    page_html = page(admin.get(f"/da/admin/users/{staff['coordinator']}"))
    assert translated(app, "da", "Reset the second factor") in page_html
    response = admin.post(
        f"/da/admin/users/{staff['coordinator']}/two-factor", data={"csrf_token": csrf_token_from(page_html)}
    )
    assert response.status_code == 302
    assert not logged_in(coordinator)  # whoever holds her phone is logged out
    assert (
        db.execute("SELECT totp_secret FROM users WHERE id = ?", [staff["coordinator"]]).fetchone()[0] is None
    )
    event = db.execute(
        "SELECT user_id, record FROM audit_log WHERE action = 'user.two_factor_reset'"
    ).fetchone()
    assert tuple(event) == (staff["admin"], f"user:{staff['coordinator']}")
    assert login(coordinator, "coordinator").headers["Location"].endswith("/da/account/two-factor")
    own = admin.post(
        f"/da/admin/users/{staff['admin']}/two-factor", data={"csrf_token": csrf_token_from(page_html)}
    )
    assert own.status_code == 409


def test_a_session_from_before_the_requirement_must_set_it_up_first(app, client, staff):
    assert login(client, "coordinator").status_code == 302 and logged_in(client)
    app.config["REQUIRE_2FA"] = True
    assert client.get("/da/my-women").headers["Location"].endswith("/da/account/two-factor")
    set_up(client)
    assert client.get("/da/my-women").status_code == 200


def test_a_password_alone_cannot_replace_her_second_factor(required, app, db, staff):
    her = app.test_client()
    login(her, "admin")
    secret, _ = set_up(her)
    thief = app.test_client()  # knows her password, not her phone
    assert login(thief, "admin").headers["Location"].endswith("/da/login/code")
    assert thief.get("/da/account/two-factor").headers["Location"].endswith("/da/login/code")
    token = csrf_token_from(page(thief.get("/da/login")))
    own_secret = pyotp.random_base32(32)
    thief.post("/da/account/two-factor", data={"csrf_token": token, "code": code_for(own_secret)})
    assert not logged_in(thief)
    assert db.execute("SELECT totp_secret FROM users WHERE username = 'admin'").fetchone()[0] == secret


def test_a_password_reset_ends_a_half_done_login(required, app, db, staff):
    thief = app.test_client()
    assert login(thief, "coordinator").headers["Location"].endswith("/da/account/two-factor")
    accounts.reset_password(db, staff["coordinator"], "a new password for her", staff["admin"])
    html = page(thief.get("/da/account/two-factor"))
    assert "<svg" not in html  # sent back to the login page
    assert (
        db.execute(
            "SELECT count(*) FROM staff_sessions WHERE user_id = ?", [staff["coordinator"]]
        ).fetchone()[0]
        == 0
    )


def test_turning_it_on_while_logged_in_needs_her_password_and_ends_her_other_sessions(app, db, staff):
    other_computer = app.test_client()
    login(other_computer, "facilitator")
    client = app.test_client()
    login(client, "facilitator")
    html = page(client.get("/da/account/two-factor"))
    secret = secret_on(html)
    data = {"csrf_token": csrf_token_from(html), "code": code_for(secret), "password": "not her password"}
    wrong = client.post("/da/account/two-factor", data=data)
    assert wrong.status_code == 400
    assert translated(app, "da", "The password is wrong.") in page(wrong)
    assert db.execute("SELECT totp_secret FROM users WHERE username = 'facilitator'").fetchone()[0] is None
    set_up(client)
    assert logged_in(client) and not logged_in(other_computer)


def test_the_api_refuses_a_session_that_must_set_up_its_second_factor_first(app, client, staff):
    login(client, "coordinator")
    assert client.get("/api/v1/reference").status_code == 200
    app.config["REQUIRE_2FA"] = True
    response = client.get("/api/v1/reference")
    assert response.status_code == 401 and response.get_json()["error"] == "login_required"


def test_create_user_on_the_command_line_refuses_a_guessable_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "sara", "--role", "outreach", "--password", "password12"]
    )
    assert result.exit_code == 2
    reason = "This password is among the most used ones. Choose another: a few words you remember are good."
    assert translated(app, "da", reason) in result.output


@pytest.mark.parametrize(("value", "expected"), [("off", False), ("no", False), ("on", True), ("yes", True)])
def test_the_requirement_setting_reads_yes_and_no(tmp_path, template_databases, value, expected):
    import shutil

    from app import create_app

    path = tmp_path / "s.sqlite"
    shutil.copyfile(template_databases["staff"], path)
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "x", "TESTING": True, "REQUIRE_2FA": value})
    assert app.config["REQUIRE_2FA"] is expected


def test_the_requirement_is_on_outside_debug_and_tests(tmp_path, template_databases):
    import shutil

    from app import create_app

    path = tmp_path / "prod.sqlite"
    shutil.copyfile(template_databases["staff"], path)
    app = create_app({"DATABASE": str(path), "SECRET_KEY": "x", "PUBLIC_URL": "https://kalender.ishoj.dk"})
    assert app.config["REQUIRE_2FA"] is True
    assert (
        create_app({"DATABASE": str(path), "SECRET_KEY": "x", "TESTING": True}).config["REQUIRE_2FA"] is False
    )


def test_the_command_line_resets_the_only_administrators_second_factor(required, client, db, staff):
    login(client, "admin")
    set_up(client)
    result = required.test_cli_runner().invoke(args=["reset-two-factor", "admin"])
    assert result.exit_code == 0, result.output
    assert db.execute("SELECT totp_secret FROM users WHERE username = 'admin'").fetchone()[0] is None


# ---- Passwords nobody should choose -------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (
            "password12",
            "This password is among the most used ones. Choose another: a few words you remember are good.",
        ),
        (
            "1234567890",
            "This password is among the most used ones. Choose another: a few words you remember are good.",
        ),
        (
            "aaaaaaaaaa",
            "Repeated characters, keyboard rows or runs like 1234 are easy to guess. Choose another password.",
        ),
        ("newcolleague1", "The password may not contain the username."),
    ],
)
@pytest.mark.parametrize("lang", ["da", "ar"])
def test_guessable_passwords_are_refused_with_a_reason_and_nothing_typed_is_lost(
    app, client, staff, password, reason, lang
):
    login(client, "admin", lang=lang)
    response = post_form(
        client,
        f"/{lang}/admin/users",
        {"username": "newcolleague", "display_name": "Ny kollega", "role": "outreach", "password": password},
    )
    assert response.status_code == 400
    html = page(response)
    assert translated(app, lang, reason) in html
    assert 'value="newcolleague"' in html and 'value="Ny kollega"' in html


def test_a_good_password_of_a_few_words_is_taken(app, client, staff):
    login(client, "admin")
    response = post_form(
        client,
        "/da/admin/users",
        {"username": "newcolleague", "display_name": "", "role": "outreach", "password": "kaffe og kage"},
    )
    assert response.status_code == 302


def test_her_own_new_password_may_not_be_her_username(app, client, staff):
    login(client, "facilitator")
    response = post_form(
        client,
        "/da/account",
        {
            "current_password": PASSWORD,
            "new_password": "facilitator2027",
            "confirm_password": "facilitator2027",
        },
    )
    assert response.status_code == 400
    assert translated(app, "da", "The password may not contain the username.") in page(response)


def test_an_admins_reset_refuses_the_colleagues_username_as_password(app, client, staff):
    login(client, "admin")
    url = f"/da/admin/users/{staff['outreach']}"
    token = csrf_token_from(page(client.get(url)))
    response = client.post(
        f"{url}/password", data={"csrf_token": token, "password-password": "outreach-outreach"}
    )
    assert response.status_code == 400
    assert translated(app, "da", "The password may not contain the username.") in page(response)


# ---- Login limits -------------------------------------------------------------------------------


def login_from(app, address, username, password, device_client=None):
    client = device_client or app.test_client()
    env = {"REMOTE_ADDR": address}
    token = csrf_token_from(page(client.get("/da/login", environ_base=env)))
    return client.post(
        "/da/login", data={"csrf_token": token, "username": username, "password": password}, environ_base=env
    )


def test_twelve_addresses_with_five_wrong_passwords_each_never_stop_her_on_her_own_phone(
    app, staff, fixed_clock
):
    her_phone = app.test_client()
    assert (
        login_from(app, "10.0.0.1", "coordinator", PASSWORD, her_phone).status_code == 302
    )  # known from now
    her_phone.post("/da/logout", data={"csrf_token": csrf_token_from(page(her_phone.get("/da/")))})
    for n in range(12):
        for _ in range(accounts.FAILURES_PER_NAME_AND_PLACE):
            login_from(app, f"192.0.2.{n}", "coordinator", "wrong password here")
    # From her phone, even from a new address, at once.
    assert login_from(app, "10.9.9.9", "coordinator", PASSWORD, her_phone).status_code == 302


def test_from_a_new_device_the_attack_only_delays_her_by_at_most_a_minute(app, staff):
    with clock.fixed(clock.now()) as moment:
        for n in range(12):
            for _ in range(accounts.FAILURES_PER_NAME_AND_PLACE):
                login_from(app, f"192.0.2.{n}", "coordinator", "wrong password here")
        refused = login_from(app, "10.9.9.9", "coordinator", PASSWORD)
        assert refused.status_code == 429
        message = translated(app, "da", accounts_delay_message(), seconds=999)
        assert message.split("999")[0] in page(refused)  # "wait N seconds", not the 15-minute block
    with clock.fixed(moment + accounts.LONGEST_NAME_DELAY + timedelta(seconds=1)):
        assert login_from(app, "10.9.9.9", "coordinator", PASSWORD).status_code == 302


def accounts_delay_message():
    return (
        "Many wrong passwords have been tried for this username. Wait %(seconds)d seconds and try again."
        " On a phone or computer where you logged in before, you need not wait."
    )


def test_logging_in_many_times_from_new_devices_is_never_slowed_down(app, staff):
    for _ in range(accounts.NAME_FAILURES_BEFORE_DELAY * 3):
        assert login_from(app, "10.0.0.1", "coordinator", PASSWORD).status_code == 302


def test_one_address_is_still_stopped_after_five_wrong_passwords_for_a_name(app, staff):
    for _ in range(accounts.FAILURES_PER_NAME_AND_PLACE):
        assert login_from(app, "192.0.2.7", "coordinator", "wrong password here").status_code == 400
    refused = login_from(app, "192.0.2.7", "coordinator", PASSWORD)
    assert refused.status_code == 429
    assert translated(app, "da", "Too many failed attempts. Wait 15 minutes and try again.") in page(refused)


def test_a_known_device_cookie_forged_or_from_an_old_password_counts_for_nothing(app, db, staff):
    from blueprints.auth import devices

    her_phone = app.test_client()
    assert login_from(app, "10.0.0.1", "coordinator", PASSWORD, her_phone).status_code == 302
    cookie = her_phone.get_cookie("device")
    assert cookie is not None and "coordinator" not in cookie.value
    accounts.reset_password(db, staff["coordinator"], "a new password for her", staff["admin"])
    user = db.execute("SELECT * FROM users WHERE id = ?", [staff["coordinator"]]).fetchone()
    with app.test_request_context("/", headers={"Cookie": f"device={cookie.value}"}):
        from flask import request

        assert devices.known_device(request, user) is None  # a new password: every device unknown again
    with app.test_request_context("/", headers={"Cookie": f"device={cookie.value[:-2]}xx"}):
        from flask import request

        assert devices.read(request)["accounts"] == {}


# ---- Anonymous visitors -------------------------------------------------------------------------


def test_looking_at_the_login_page_stores_no_session(app, client, db, staff):
    for lang in ("da", "tr", "ur", "ar"):
        assert client.get(f"/{lang}/login").status_code == 200
    assert count(db, "staff_sessions") == 0
    assert client.get_cookie("session") is not None  # the form's token, signed, on her side only
    assert login(client, "outreach").status_code == 302
    assert count(db, "staff_sessions") == 1
    client.post("/da/logout", data={"csrf_token": csrf_token_from(page(client.get("/da/")))})
    assert count(db, "staff_sessions") == 0
    assert translated(app, "da", "You are logged out.") in page(client.get("/da/login"))


def test_a_forged_anonymous_cookie_is_an_empty_session(app, client, db, staff):
    client.set_cookie("session", "eyJ1c2VyX2lkIjoxfQ.forged.signature")
    assert client.get("/da/").status_code == 302  # not logged in
    client.set_cookie("session", "eyJ1c2VyX2lkIjoxfQ")  # no dots: looked up as an id, found nowhere
    assert client.get("/da/").status_code == 302


# ---- The secret key's rotation ------------------------------------------------------------------


def test_after_a_key_rotation_her_link_card_and_feed_still_work(app, db, staff, tmp_path):
    from blueprints.me import links

    participant = add_woman(db, "Amina", "+4520123401", "ar")
    with app.test_request_context("/"):
        token = links.create_link(db, participant, staff["coordinator"])
    phone = app.test_client()
    open_her_link(phone, token)
    before = page(phone.get("/ar/c"))
    feed = re.search(r'id="feed-url"[^>]*value="([^"]+)"', before).group(1)
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = "a new key after the rotation"
    after = page(phone.get("/ar/c"))
    assert re.search(r'id="feed-url"[^>]*value="([^"]+)"', after).group(1) == feed
    assert card_of(after) == card_of(before)
    assert phone.get(feed.split("://", 1)[1].split("/", 1)[1].join(["/", ""])).status_code == 200
    with app.test_request_context("/"):
        newer = links.create_link(db, participant, staff["coordinator"])
    stored = db.execute(
        "SELECT key_id FROM personal_links WHERE token_hash = ?", [links.digest(newer)]
    ).fetchone()
    assert stored["key_id"] == keys.key_id("a new key after the rotation")


def card_of(html):
    return re.search(r'<div class="personal-card">(.*?)</div>', html, re.S).group(1)


def test_a_link_made_before_key_ids_finds_its_key(app, db, staff):
    from blueprints.me import links

    participant = add_woman(db, "Amina", "+4520123401", "ar")
    with app.test_request_context("/"):
        token = links.create_link(db, participant, staff["coordinator"])
        db.execute("UPDATE personal_links SET key_id = NULL")
        link = db.execute("SELECT * FROM personal_links").fetchone()
        expected = links.feed_token_of(link)
        app.config["SECRET_KEY_FALLBACKS"] = ["older", app.config["SECRET_KEY"]]
        app.config["SECRET_KEY"] = "newest"
        assert links.feed_token_of(link) == expected
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert links.feed_token_of(link) is None  # its key is gone: said, not a wrong code
    assert token


def test_the_rotate_command_keeps_the_old_key(tmp_path):
    before = keys.instance_key(tmp_path)
    old_id, new_id = keys.rotate_instance_key(tmp_path)
    assert old_id == keys.key_id(before) and new_id != old_id
    assert keys.instance_old_keys(tmp_path) == [before]
    assert keys.instance_key(tmp_path) != before
    keys.rotate_instance_key(tmp_path)
    assert len(keys.instance_old_keys(tmp_path)) == 2
    assert all(oct(path.stat().st_mode)[-3:] == "600" for path in tmp_path.iterdir())


# ---- Busy or full: try again, and nothing is lost -------------------------------------------------


def test_under_a_long_write_lock_the_outbox_answers_503_json_and_a_resend_stores_once(
    app,
    db,
    staff,
    reference_data,  # noqa: F811  (the fixture imported above)
    monkeypatch,
):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    client = app.test_client()
    login(client, "outreach")
    phone = Phone(client)
    item = signup_item(db)
    token = phone.token()
    assert client.get("/da/").status_code == 200  # the first page after login (its session changes)
    blocker = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/api/v1/outbox", json={"items": [item]}, headers={"X-CSRFToken": token})
        assert response.status_code == 503
        assert response.headers["Retry-After"].isdigit()
        assert response.get_json()["error"] == "unavailable"
        assert client.get("/da/").status_code == 200  # a page that only reads is still shown
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert phone.send([item]).get_json()["results"][0]["status"] == "ok"
    assert phone.send([item]).get_json()["results"][0]["status"] == "duplicate"
    assert count(db, "participants") == 1


def test_a_page_whose_session_was_due_a_touch_is_shown_under_a_write_lock(app, db, staff, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    client = app.test_client()
    login(client, "outreach")
    assert client.get("/da/").status_code == 200  # the first page after login (its session changes)
    with clock.fixed(clock.now() + timedelta(minutes=30)):
        blocker = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            assert client.get("/da/").status_code == 200
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert client.get("/da/").status_code == 200  # still logged in


def test_a_full_disk_on_a_page_is_a_translated_503(app, client, staff, monkeypatch):
    from blueprints.home import routes as home_routes

    login(client, "admin")

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(home_routes, "render_template", full)
    response = client.get("/ar/")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert translated(app, "ar", "The server is busy. Wait a moment and try again.") in page(response)


def test_any_other_database_error_is_still_a_fault(app, client, staff, monkeypatch):
    from blueprints.home import routes as home_routes

    login(client, "admin")
    monkeypatch.setattr(
        home_routes,
        "render_template",
        lambda *a, **k: (_ for _ in ()).throw(sqlite3.OperationalError("no such column: x")),
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/da/").status_code == 500
