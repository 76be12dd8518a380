"""Fixtures: a real SQLite file per test, the Flask test client, logged-in staff and a fixed clock."""

import re
import shutil
from datetime import datetime

import pytest
from argon2 import PasswordHasher

import clock
import db as database
from app import create_app
from blueprints.auth import accounts

PASSWORD = "correct horse battery"

# argon2id costs 0.1 s a hash on purpose; a run logs in about a thousand times. Tests hash with the cheapest
# parameters: the rules (argon2id, verify, rehash when the parameters change) are the same, and
# test_auth checks that the app itself runs with argon2's recommended ones.
accounts.password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
accounts._DUMMY_HASH = accounts.password_hasher.hash("not a real password")
ROLES = accounts.ROLES

# The moment the app's clock is held at in tests whose outcome depends on the day or the hour: a Wednesday
# morning in winter (UTC+1) in Copenhagen, before the day's 10:00 sessions. Any day of the real calendar
# gives the same weekdays, counts and "today".
NOW = datetime(2027, 1, 13, 9, 0, tzinfo=clock.LOCAL)


@pytest.fixture
def fixed_clock():
    """Hold the app's clock at NOW for the whole test (use it with pytest.mark.usefixtures)."""
    with clock.fixed(NOW) as now:
        yield now


def new_staff(db):
    """One active account per role, named after the role, all with PASSWORD; return {role: id}."""
    return {role: accounts.create_user(db, role, role, PASSWORD, role.title()) for role in ROLES}


@pytest.fixture(scope="session")
def template_databases(tmp_path_factory):
    """Database files built once per run, copied for each test: migrated ("empty"), and with the staff
    accounts too ("staff"), whose password hashes (argon2, slow on purpose) would cost each test 0.4 s."""
    folder = tmp_path_factory.mktemp("templates")
    templates = {"empty": str(folder / "empty.sqlite"), "staff": str(folder / "staff.sqlite")}
    connection = database.connect(templates["empty"])
    database.migrate(connection)
    connection.close()  # the last connection to close checkpoints the WAL: the file alone is whole
    shutil.copyfile(templates["empty"], templates["staff"])
    connection = database.connect(templates["staff"])
    new_staff(connection)
    connection.close()
    return templates


@pytest.fixture
def app(tmp_path, request, template_databases):
    path = tmp_path / "test.sqlite"
    shutil.copyfile(template_databases["staff" if "staff" in request.fixturenames else "empty"], path)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE": str(path),
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
    """One active account per role, named after the role, all with PASSWORD (from the template file)."""
    made = {row["username"]: row["id"] for row in db.execute("SELECT id, username FROM users")}
    if not made:  # asked for by getfixturevalue, after the app had an empty file
        return new_staff(db)
    assert set(made) == set(ROLES), made
    return {role: made[role] for role in ROLES}


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


def client_as(app, who):
    """A browser of its own for `who` (a role, or "anonymous"), logged in through the real form."""
    client = app.test_client()
    if who != "anonymous":
        assert login(client, who).status_code == 302
    return client


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
    """A cooking group led by `facilitator_id`, meeting 10:00-12:00 on `weekdays`, with its sessions
    from `first_day` (the app's today when not given) for eight weeks unless `last_day` says otherwise."""
    from datetime import time, timedelta

    from blueprints.groups.queries import create_group
    from blueprints.groups.schedule import Schedule

    first_day = first_day or clock.today()
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

    now = clock.now_iso()
    db.execute(
        "INSERT OR IGNORE INTO cards (code_hash, participant_id, issued_at, replaced_at) VALUES (?, ?, ?, ?)",
        [hashlib.sha256(code.encode()).hexdigest(), participant_id, now, now if replaced else None],
    )


# ---- A programme with known ways (the reports' tests) ----------------------------------------------------


def stay(db, woman, enrolled_on, left_on=None, reason=None):
    db.execute(
        """INSERT INTO visitations (participant_id, enrolled_on, benefit, action_plan, left_on, leaving_reason,
                                    recorded_at) VALUES (?, ?, 'activity_ready', 'not_yet', ?, ?, ?)""",
        [woman, enrolled_on, left_on, reason, enrolled_on],
    )


def step(db, woman, kind, started_on):
    db.execute(
        "INSERT INTO steps (participant_id, kind, started_on, recorded_at) VALUES (?, ?, ?, ?)",
        [woman, kind, started_on, started_on],
    )


@pytest.fixture
def programme(db, staff):
    """Five women with known ways (2026):
    Amina: enrolled in February, an internship in March, a small job in May, an ordinary job in September,
           when she left for it.
    Bahar: enrolled in February, a company visit (not an offer), left in April (moved), back in June.
    Chen:  enrolled in August, education from October; erased since (her tally still counts).
    Dilan: signed up, never enrolled.
    Esra:  enrolled in January 2027 (after the year)."""
    women = {
        name: add_woman(db, name, f"+452012340{i}")
        for i, name in enumerate(("Amina", "Bahar", "Chen", "Dilan", "Esra"))
    }
    stay(db, women["Amina"], "2026-02-01", "2026-09-01", "ordinary_job")
    step(db, women["Amina"], "internship", "2026-03-01")
    step(db, women["Amina"], "small_job", "2026-05-01")
    step(db, women["Amina"], "ordinary_job", "2026-09-01")
    stay(db, women["Bahar"], "2026-02-10", "2026-04-01", "moved")
    stay(db, women["Bahar"], "2026-06-01")
    step(db, women["Bahar"], "company_visit", "2026-03-01")
    stay(db, women["Chen"], "2026-08-01")
    step(db, women["Chen"], "education", "2026-10-01")
    stay(db, women["Esra"], "2027-01-05")
    return women
