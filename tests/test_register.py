"""The attendance register (page, CSV, Excel) and the list of women to call."""

import csv
import io
from datetime import timedelta

import pytest

import clock
from blueprints.checkin import queries as checkin
from blueprints.groups import queries as groups

from .conftest import add_group, add_woman, translated

# Today is Wednesday 13 January 2027 (conftest.NOW): the weeks behind hold a known number of sessions.
pytestmark = pytest.mark.usefixtures("fixed_clock")


def attend(db, session_id, participant_id, method="qr", at=None):
    at = at or clock.now_iso()
    enrolled = True
    checkin.record_checkin(
        db, session_id, participant_id, at, method, enrolled, None, f"{session_id}-{participant_id}"
    )


@pytest.fixture
def past_group(db, staff):
    """Three weeks of Mondays, Wednesdays and Fridays behind us, with Amina, Fatma and a walk-in."""
    first = clock.today() - timedelta(weeks=3)
    group_id = add_group(
        db, staff["facilitator"], first, clock.today() - timedelta(days=1), weekdays=(0, 2, 4)
    )
    amina, fatma, walk_in = (
        add_woman(db, name, f"+45201234{n:02d}") for n, name in enumerate(["Amina", "=cmd|x", "Nour"])
    )
    for woman in (amina, fatma):
        groups.enrol(db, group_id, woman)
    db.execute(
        "UPDATE enrolments SET joined_at = '2000-01-01T00:00:00+00:00', since = '2000-01-01T00:00:00+00:00'"
    )
    sessions = groups.group_sessions(db, group_id, "2000")
    for session in sessions:  # checked in as each session began
        attend(db, session["id"], amina, at=session["starts_at"])
    attend(db, sessions[0]["id"], fatma, at=sessions[0]["starts_at"])
    attend(db, sessions[1]["id"], walk_in, "walk_in", at=sessions[1]["starts_at"])
    return {"group_id": group_id, "sessions": sessions, "amina": amina, "fatma": fatma, "walk_in": walk_in}


def test_the_register_shows_sessions_by_women_with_totals(app, login_as, past_group):
    client = login_as("facilitator")
    page = client.get(f"/da/groups/{past_group['group_id']}/register").get_data(as_text=True)
    held = len(past_group["sessions"])
    assert held == 9  # Mondays, Wednesdays and Fridays from 23 December to yesterday
    assert page.count("<time") == held
    assert page.count("✓") == held + 2
    assert f"<td>{held}</td>" in page  # Amina came every time
    assert translated(app, "da", "not enrolled") in page  # the walk-in is listed, marked
    assert f"<td>{held + 2}</td></tr></tfoot>" in page


def test_the_register_downloads_as_csv_with_formulas_defused(login_as, past_group):
    client = login_as("coordinator")
    response = client.get(f"/da/groups/{past_group['group_id']}/register.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    assert text.splitlines()[0].count(";") == len(past_group["sessions"]) + 1  # Danish Excel splits on ;
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    held = len(past_group["sessions"])
    assert len(rows[0]) == held + 2
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Amina"][-1] == str(held)
    assert "'=cmd|x" in by_name and by_name["'=cmd|x"][1:][0] == "1"
    assert rows[-1][-1] == str(held + 2)


def test_no_cell_of_the_csv_can_become_a_formula_in_danish_excel(db, login_as, past_group):
    sneaky = add_woman(db, "A;=1+1;", "+4520123499")  # a name from a self sign-up, split on ; by Excel
    attend(db, past_group["sessions"][0]["id"], sneaky, "walk_in")
    text = (
        login_as("coordinator")
        .get(f"/da/groups/{past_group['group_id']}/register.csv")
        .get_data(as_text=True)
    )
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert "A;=1+1;" in {row[0] for row in rows}  # one cell, quoted, starting with a letter
    assert [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")] == []
    assert '"A;=1+1;"' in text


def test_the_register_downloads_as_an_excel_workbook(login_as, past_group):
    client = login_as("coordinator")
    response = client.get(f"/da/groups/{past_group['group_id']}/register.xlsx")
    assert response.status_code == 200
    assert response.data[:2] == b"PK"  # a zip: the xlsx container
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.data)) as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode()
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert "Amina" in strings and "=cmd|x" in strings
    assert "<f>" not in sheet  # no formula anywhere


@pytest.mark.parametrize(
    "query",
    [
        "?from=2026-13-01",
        "?from=2026-05-01&to=2026-01-01",
        "?from=1900-01-01&to=2026-01-01",
        "?to=9999-12-31",
        "?from=0001-01-01",
    ],
)
def test_impossible_register_days_are_a_400_not_a_500(app, login_as, past_group, query):
    client = login_as("coordinator")
    response = client.get(f"/da/groups/{past_group['group_id']}/register{query}")
    assert response.status_code == 400
    message = translated(app, "da", "The request could not be understood. Go back and try again.")
    assert message in response.get_data(as_text=True)


def test_a_facilitator_sees_only_her_groups_register(app, db, login_as, past_group):
    from blueprints.auth.accounts import create_user

    from .conftest import login

    create_user(db, "other", "facilitator", "correct horse battery", "Other")
    client = app.test_client()
    login(client, "other")
    for suffix in ("", ".csv", ".xlsx"):
        assert client.get(f"/da/groups/{past_group['group_id']}/register{suffix}").status_code == 403


def attendance_of(db, session_id):
    return {
        row["participant_id"]: row["method"]
        for row in db.execute(
            "SELECT participant_id, method FROM attendance WHERE session_id = ?", [session_id]
        )
    }


def test_a_coordinator_corrects_who_came_to_a_past_session(app, db, login_as, past_group):
    from .conftest import csrf_token_from

    client = login_as("coordinator")
    session = past_group["sessions"][0]  # Amina and Fatma came
    url = f"/da/groups/{past_group['group_id']}/sessions/{session['id']}/attendance"
    page = client.get(url).get_data(as_text=True)
    assert page.count('name="came"') == 2 and page.count(" checked>") == 2
    register = client.get(f"/da/groups/{past_group['group_id']}/register").get_data(as_text=True)
    assert url in register  # linked from the register's session column
    # Fatma's name was tapped by mistake; Amina came; the walk-in is not on this session's sheet.
    response = client.post(
        url, data={"csrf_token": csrf_token_from(page), "came": [str(past_group["amina"])]}
    )
    assert response.status_code == 302
    assert attendance_of(db, session["id"]) == {past_group["amina"]: "qr"}  # her scan is kept as it was
    # The next session: Fatma came without her card.
    second = past_group["sessions"][2]
    url = f"/da/groups/{past_group['group_id']}/sessions/{second['id']}/attendance"
    client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "came": [str(past_group["amina"]), str(past_group["fatma"])],
        },
    )
    assert attendance_of(db, second["id"]) == {past_group["amina"]: "qr", past_group["fatma"]: "manual"}
    logged = [
        tuple(row)
        for row in db.execute(
            "SELECT action, participant_id, record FROM audit_log WHERE action = 'attendance.correct'"
        )
    ]
    assert logged == [
        ("attendance.correct", past_group["fatma"], f"session {session['id']} did not come"),
        ("attendance.correct", past_group["fatma"], f"session {second['id']} came"),
    ]  # ids, never a name


def test_only_women_on_the_sheet_can_be_marked_and_only_by_a_coordinator(app, db, login_as, past_group):
    from .conftest import csrf_token_from

    session = past_group["sessions"][3]
    url = f"/da/groups/{past_group['group_id']}/sessions/{session['id']}/attendance"
    facilitator = login_as("facilitator")
    assert facilitator.get(url).status_code == 403
    assert "/attendance" not in facilitator.get(f"/da/groups/{past_group['group_id']}/register").get_data(
        as_text=True
    )
    coordinator = app.test_client()
    from .conftest import login

    login(coordinator, "coordinator")
    token = csrf_token_from(coordinator.get(url).get_data(as_text=True))
    stranger = add_woman(db, "Stranger", "+4520999999")
    assert coordinator.post(url, data={"csrf_token": token, "came": [str(stranger)]}).status_code == 400
    assert stranger not in attendance_of(db, session["id"])
    wrong_group = f"/da/groups/{past_group['group_id'] + 99}/sessions/{session['id']}/attendance"
    assert coordinator.get(wrong_group).status_code == 404


def test_women_who_missed_their_last_two_sessions_or_were_not_seen_for_five_days_are_listed(
    app, db, login_as, past_group
):
    client = login_as("coordinator")
    page = client.get("/da/follow-up").get_data(as_text=True)
    assert "=cmd|x" in page  # came only to the first session, three weeks ago
    assert 'href="tel:+4520123401"' in page
    assert "Amina" not in page  # came to every session
    first_session = past_group["sessions"][0]["starts_at"]
    with app.test_request_context("/da/"):
        from flask_babel import force_locale

        from i18n import format_when

        with force_locale("da"):
            day = format_when(first_session, "day")
    reason = translated(app, "da", "Missed her last two sessions (last seen %(day)s).", day=day)
    assert reason in page
    assert page.count('class="card"') == 1  # one woman, one reason: no second line about the days


def test_a_woman_who_came_after_her_missed_sessions_is_not_listed(app, db, staff, past_group):
    """She missed her last two sessions here but came to another group's session today: nobody to call."""
    other = add_group(
        db, staff["facilitator"], clock.today(), clock.today(), weekdays=tuple(range(7)), name="Gåtur"
    )
    (today_session,) = groups.group_sessions(db, other, "2000")
    attend(db, today_session["id"], past_group["fatma"], at=clock.now_iso())
    assert [row["first_name"] for row in checkin.women_to_follow_up(db)] == []


def test_a_woman_who_just_joined_is_not_listed_yet(db, staff):
    group_id = add_group(db, staff["facilitator"], clock.today() + timedelta(days=1))
    groups.enrol(db, group_id, add_woman(db, "Ny", "+4520999999"))
    assert checkin.women_to_follow_up(db) == []
    later = clock.now() + timedelta(days=6)
    assert [row["first_name"] for row in checkin.women_to_follow_up(db, now=later)] == ["Ny"]


def test_a_woman_who_came_to_her_weekly_session_is_not_missing_six_days_later(db, staff):
    last_week = clock.today() - timedelta(days=6)
    group_id = add_group(db, staff["facilitator"], last_week, last_week, weekdays=(last_week.weekday(),))
    woman = add_woman(db, "Trofast", "+4520888888")
    groups.enrol(db, group_id, woman)
    db.execute("UPDATE enrolments SET since = '2000-01-01T00:00:00+00:00'")
    (session,) = groups.group_sessions(db, group_id, "2000")
    attend(db, session["id"], woman, at=session["starts_at"])
    assert checkin.women_to_follow_up(db) == []


def test_sessions_she_sat_out_on_the_waitlist_do_not_count_as_missed(db, staff):
    first = clock.today() - timedelta(weeks=2)
    group_id = add_group(
        db,
        staff["facilitator"],
        first,
        clock.today() - timedelta(days=1),
        weekdays=tuple(range(7)),
        capacity=1,
    )
    groups.enrol(db, group_id, add_woman(db, "Første", "+4520777771"))
    waiting = add_woman(db, "Venter", "+4520777772")
    groups.enrol(db, group_id, waiting)
    db.execute(
        "UPDATE enrolments SET since = '2000-01-01T00:00:00+00:00', joined_at = '2000-01-01T00:00:00+00:00'"
    )
    groups.leave(
        db, group_id, db.execute("SELECT id FROM participants WHERE first_name = 'Første'").fetchone()[0]
    )
    names = [row["first_name"] for row in checkin.women_to_follow_up(db)]
    assert "Venter" not in names  # she just moved up from the waitlist
