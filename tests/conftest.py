"""Fixtures: a real SQLite file per test, the Flask test client, and logged-in staff."""

import re

import pytest

import db as database
from app import create_app
from blueprints.auth import accounts

PASSWORD = "correct horse battery"
ROLES = accounts.ROLES


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "test.sqlite"),
            "SECRET_KEY": "test-secret",
            "SMS_FILE": str(tmp_path / "sms.jsonl"),
        }
    )
    yield app


@pytest.fixture
def db(app):
    connection = database.connect(app.config["DATABASE"])
    yield connection
    connection.close()


@pytest.fixture
def staff(db):
    """One active account per role, named after the role, all with PASSWORD."""
    return {role: accounts.create_user(db, role, role, PASSWORD, role.title()) for role in ROLES}


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_from(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, username, password=PASSWORD, lang="da"):
    """Log in through the real form, CSRF token included; return the POST's response."""
    page = client.get(f"/{lang}/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        f"/{lang}/login",
        data={"csrf_token": token, "username": username, "password": password},
    )


def post_form(client, url, data):
    """POST a form the way a browser does: with the token from the page at `url`."""
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


@pytest.fixture
def login_as(client, staff):
    def _login(role, lang="da"):
        response = login(client, role, lang=lang)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


def translated(app, lang, message, **variables):
    """Return `message` as the page in `lang` shows it (HTML-escaped), from the real catalogs."""
    from flask_babel import force_locale, gettext
    from markupsafe import escape

    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        return str(escape(gettext(message, **variables)))


def add_woman(db, first_name, phone, language="ar"):
    """A registered woman (only what the tests need); return her id."""
    return db.execute(
        "INSERT INTO participants (first_name, phone, language, registered_at) VALUES (?, ?, ?, '2026-01-01')",
        [first_name, phone, language],
    ).lastrowid


def add_group(db, facilitator_id, first_day=None, last_day=None, weekdays=(1, 3), **fields):
    """A cooking group led by `facilitator_id`, meeting 10:00-12:00 on `weekdays`, with its sessions."""
    from datetime import date, time, timedelta

    from blueprints.groups.queries import create_group
    from blueprints.groups.schedule import Schedule

    first_day = first_day or date.today()
    schedule = Schedule(first_day, last_day or first_day + timedelta(weeks=8), weekdays, time(10), time(12))
    values = {
        "name": "Madklubben",
        "activity": "cooking",
        "estate_id": None,
        "place": "Beboerhuset",
        "bring": "",
        "languages": ["da"],
        "capacity": 12,
    } | fields
    return create_group(db, values, schedule, [facilitator_id], [], facilitator_id)


def give_card(db, participant_id, code, replaced=False):
    """A QR card with `code` for her (kept hashed, as the app keeps it); replaced if asked."""
    import hashlib
    from datetime import UTC, datetime

    now = datetime.now(UTC).isoformat(timespec="seconds")
    db.execute(
        "INSERT OR IGNORE INTO cards (code_hash, participant_id, issued_at, replaced_at) VALUES (?, ?, ?, ?)",
        [hashlib.sha256(code.encode()).hexdigest(), participant_id, now, now if replaced else None],
    )
