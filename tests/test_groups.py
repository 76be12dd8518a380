"""Network groups: schedules across daylight saving, edits that keep hand-made changes, enrolment, texts."""

import json
import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

import clock
from blueprints.groups import queries as groups
from blueprints.groups.schedule import LOCAL, Schedule

from .conftest import add_group, add_woman, csrf_token_from, post_form, translated

# "Today" is a Wednesday in January (conftest.NOW): schedules, counts and past or future never depend on
# the day the suite runs.
pytestmark = pytest.mark.usefixtures("fixed_clock")


@pytest.fixture
def estate(db):
    return db.execute(
        "INSERT INTO estates (name, municipality) VALUES ('Vejlegårdsparken', 'Vallensbæk')"
    ).lastrowid


def group_form(estate, **changes):
    """What a coordinator types for a cooking group on Tuesdays and Thursdays for the coming half year."""
    start = clock.today() + timedelta(days=1)
    form = {
        "name": "Madklubben",
        "activity": "cooking",
        "estate_id": str(estate),
        "place": "Beboerhuset",
        "bring": "Et forklæde",
        "languages": ["da", "ar"],
        "capacity": "12",
        "weekdays": ["1", "3"],
        "every_weeks": "1",
        "start_time": "10:00",
        "end_time": "12:00",
        "first_day": start.isoformat(),
        "last_day": (start + timedelta(weeks=26)).isoformat(),
    }
    form.update(changes)
    return form


def new_group_id(response):
    """The id of the group just made, from the exact address of its page."""
    assert response.status_code == 302
    match = re.fullmatch(r"/da/groups/(\d+)", response.location)
    assert match, response.location
    return int(match.group(1))


def local_start_times(db, group_id):
    rows = db.execute("SELECT starts_at FROM sessions WHERE group_id = ? ORDER BY starts_at", [group_id])
    return [datetime.fromisoformat(row["starts_at"]).astimezone(LOCAL) for row in rows]


def test_sessions_keep_their_local_time_across_the_daylight_saving_change(db, staff):
    # Summer time begins on Sunday 29 March 2026 and ends on Sunday 25 October 2026.
    group_id = add_group(db, staff["facilitator"], date(2026, 3, 17), date(2026, 11, 5))
    starts = local_start_times(db, group_id)
    assert {(moment.hour, moment.minute) for moment in starts} == {(10, 0)}
    utc_hours = {datetime.fromisoformat(m.isoformat()).utcoffset().total_seconds() / 3600 for m in starts}
    assert utc_hours == {1.0, 2.0}  # both winter and summer sessions exist, at 10:00 local time
    assert [m.date() for m in starts][:2] == [date(2026, 3, 17), date(2026, 3, 19)]


def test_the_schedule_makes_one_session_per_chosen_weekday(db, staff):
    group_id = add_group(db, staff["facilitator"], date(2027, 1, 4), date(2027, 1, 31), weekdays=(1, 3))
    days = [moment.date() for moment in local_start_times(db, group_id)]
    assert len(days) == 8
    assert {day.weekday() for day in days} == {1, 3}


def test_a_cancelled_session_stays_cancelled_when_the_schedule_is_edited(db, staff):
    first = clock.today() + timedelta(days=7)
    group_id = add_group(db, staff["facilitator"], first, first + timedelta(weeks=10))
    sessions = groups.group_sessions(db, group_id, "2000")
    cancelled, moved = sessions[2], sessions[3]
    groups.cancel_session(db, cancelled["id"], "Sygdom")
    later = datetime.fromisoformat(moved["starts_at"]) + timedelta(days=1)
    groups.move_session(db, moved["id"], later, later + timedelta(hours=2), "Hallen")

    row = groups.group(db, group_id)
    new_schedule = Schedule(first, first + timedelta(weeks=10), (1, 3), time(13), time(15))
    fields = {key: row[key] for key in ("name", "activity", "estate_id", "place", "bring", "capacity")}
    counts = groups.update_group(
        db, group_id, fields | {"languages": ["da"]}, new_schedule, [staff["facilitator"]], []
    )

    after = {s["id"]: s for s in groups.group_sessions(db, group_id, "2000")}
    assert set(after) == {s["id"] for s in sessions}  # each session changed in place, under its id
    assert after[cancelled["id"]]["cancelled_at"] is not None
    assert after[cancelled["id"]]["cancel_reason"] == "Sygdom"
    assert datetime.fromisoformat(after[cancelled["id"]]["starts_at"]).astimezone(LOCAL).hour == 13
    assert after[moved["id"]]["starts_at"] == later.isoformat()  # moved by hand: the new rule leaves it
    assert counts["changed"] == len(sessions) - 1
    assert all(
        datetime.fromisoformat(s["starts_at"]).astimezone(LOCAL).hour == 13
        for key, s in after.items()
        if key != moved["id"]
    )


def test_dropping_a_weekday_removes_its_untouched_future_sessions_only(db, staff):
    first = clock.today() + timedelta(days=7)
    group_id = add_group(db, staff["facilitator"], first, first + timedelta(weeks=4))
    thursdays = [
        s
        for s in groups.group_sessions(db, group_id, "2000")
        if datetime.fromisoformat(s["starts_at"]).astimezone(LOCAL).weekday() == 3
    ]
    groups.describe_session(db, thursdays[0]["id"], "Virksomhedsbesøg", "")
    row = groups.group(db, group_id)
    fields = {key: row[key] for key in ("name", "activity", "estate_id", "place", "bring", "capacity")}
    schedule = Schedule(first, first + timedelta(weeks=4), (1,), time(10), time(12))
    counts = groups.update_group(
        db, group_id, fields | {"languages": ["da"]}, schedule, [staff["facilitator"]], []
    )
    assert counts["removed"] == len(thursdays) - 1
    remaining = {s["id"] for s in groups.group_sessions(db, group_id, "2000")}
    assert thursdays[0]["id"] in remaining


def session_rows(db, group_id):
    """Every stored column of the group's sessions, by id."""
    rows = db.execute("SELECT * FROM sessions WHERE group_id = ?", [group_id]).fetchall()
    return {row["id"]: dict(row) for row in rows}


def test_past_sessions_are_not_changed_by_a_schedule_edit_and_every_session_keeps_its_id(db, staff):
    first = clock.today() - timedelta(weeks=3)
    last = clock.today() + timedelta(weeks=3)
    group_id = add_group(db, staff["facilitator"], first, last, weekdays=tuple(range(7)))
    future = groups.group_sessions(db, group_id, clock.now_iso())
    cancelled, described = future[1], future[2]
    groups.cancel_session(db, cancelled["id"], "Sygdom")
    groups.describe_session(db, described["id"], "Virksomhedsbesøg", "Madpakke")
    before = session_rows(db, group_id)
    past = {key: row for key, row in before.items() if row["starts_at"] < clock.now_iso()}
    assert len(past) == 21 and len(before) == 43  # three weeks behind, today's session and three ahead

    row = groups.group(db, group_id)
    fields = {key: row[key] for key in ("name", "activity", "estate_id", "place", "bring", "capacity")}
    schedule = Schedule(first, last, tuple(range(7)), time(14), time(15))
    counts = groups.update_group(
        db, group_id, fields | {"languages": ["da"]}, schedule, [staff["facilitator"]], []
    )

    after = session_rows(db, group_id)
    assert set(after) == set(before)  # changed in place: none deleted and made again under a new id
    assert counts == {"added": 0, "changed": len(before) - len(past), "removed": 0}
    assert {key: after[key] for key in past} == past  # the past, row for row
    for key in set(after) - set(past):
        starts = datetime.fromisoformat(after[key]["starts_at"]).astimezone(LOCAL)
        assert (starts.hour, after[key]["sequence"]) == (14, before[key]["sequence"] + 1)
    assert (after[cancelled["id"]]["cancelled_at"], after[cancelled["id"]]["cancel_reason"]) == (
        before[cancelled["id"]]["cancelled_at"],
        "Sygdom",
    )
    assert (after[described["id"]]["topic"], after[described["id"]]["bring"]) == (
        "Virksomhedsbesøg",
        "Madpakke",
    )


def test_coordinator_creates_a_group_with_its_sessions(login_as, db, estate):
    client = login_as("coordinator")
    response = post_form(client, "/da/groups/new", group_form(estate))
    assert response.status_code == 302
    group = db.execute("SELECT * FROM groups").fetchone()
    assert json.loads(group["weekdays"]) == [1, 3]
    assert group["rule"].startswith("DTSTART")
    count = db.execute("SELECT count(*) FROM sessions WHERE group_id = ?", [group["id"]]).fetchone()[0]
    assert count == 53  # Tuesdays and Thursdays from Thursday 14 January 2027, for 26 weeks
    page = client.get(response.location).get_data(as_text=True)
    assert "Madklubben" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "The session ends before it starts."),
        ({"weekdays": []}, "weekdays", "Choose at least one."),
        ({"last_day": "2020-01-01"}, "last_day", "The last day comes before the first day."),
        ({"capacity": "0"}, "capacity", "A group has from 1 to %(max)d places."),
        ({"capacity": "tolv"}, "capacity", "Write the number of places, e.g. 12."),
        ({"name": "x" * 10_000}, "name", "At most %(max)d characters."),
        ({"start_time": "25:00"}, "start_time", "Write a time as hours:minutes, e.g. 10:00."),
        ({"weekdays": ["9"]}, "weekdays", "Choose among the options shown."),
    ],
)
@pytest.mark.parametrize("lang", ["ar", "tr"])
def test_impossible_groups_get_a_translated_message_and_keep_what_was_typed(
    app, login_as, db, estate, changes, field, message, lang
):
    client = login_as("coordinator", lang=lang)
    response = post_form(client, f"/{lang}/groups/new", group_form(estate, **changes))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    variables = {"max": 200} if "%(max)d" in message and field == "capacity" else {}
    if field == "name":
        variables = {"max": 80}
    assert translated(app, lang, message, **variables) in page
    assert 'value="Beboerhuset"' in page  # nothing typed is lost
    assert db.execute("SELECT count(*) FROM groups").fetchone()[0] == 0


def test_a_schedule_with_no_day_between_first_and_last_is_refused(app, login_as, db, estate):
    client = login_as("coordinator")
    monday = date(2027, 1, 4)
    form = group_form(
        estate,
        weekdays=["3"],
        first_day=monday.isoformat(),
        last_day=(monday + timedelta(days=1)).isoformat(),
    )
    response = post_form(client, "/da/groups/new", form)
    assert response.status_code == 400
    message = translated(app, "da", "None of these weekdays falls between the first and the last day.")
    assert message in response.get_data(as_text=True)


def test_a_schedule_longer_than_two_years_is_refused(app, login_as, estate):
    client = login_as("coordinator")
    form = group_form(estate, first_day="2027-01-01", last_day="2030-01-01")
    response = post_form(client, "/da/groups/new", form)
    assert response.status_code == 400
    assert translated(app, "da", "A schedule covers at most two years.") in response.get_data(as_text=True)


def test_enrolling_past_capacity_puts_her_on_the_waitlist_and_leaving_moves_the_next_up(db, staff):
    group_id = add_group(
        db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2), capacity=2
    )
    women = [add_woman(db, name, f"+45201234{index:02d}") for index, name in enumerate(["A", "B", "C", "D"])]
    states = [groups.enrol(db, group_id, woman) for woman in women]
    assert states == ["active", "active", "waitlist", "waitlist"]
    assert groups.leave(db, group_id, women[0]) == ["C"]
    by_id = {row["id"]: row["state"] for row in groups.members(db, group_id)}
    assert by_id == {
        women[1]: "active",
        women[2]: "active",
        women[3]: "waitlist",
    }  # she who left is not named
    left = db.execute("SELECT state FROM enrolments WHERE participant_id = ?", [women[0]]).fetchone()[0]
    assert left == "left"  # her history is kept


def test_leaving_keeps_her_history_and_she_can_come_back(db, staff):
    group_id = add_group(db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2))
    woman = add_woman(db, "Amina", "+4520123401")
    groups.enrol(db, group_id, woman)
    joined = db.execute("SELECT joined_at FROM enrolments").fetchone()["joined_at"]
    groups.leave(db, group_id, woman)
    row = db.execute("SELECT state, joined_at, left_at FROM enrolments").fetchone()
    assert (row["state"], row["joined_at"]) == ("left", joined) and row["left_at"]
    assert groups.enrol(db, group_id, woman) == "active"


def test_a_woman_can_be_in_several_groups(db, staff):
    first = add_group(db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2))
    second = add_group(
        db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2), weekdays=(4,)
    )
    woman = add_woman(db, "Amina", "+4520123401")
    assert groups.enrol(db, first, woman) == groups.enrol(db, second, woman) == "active"


def search(client, group_id, text, htmx=True):
    """What the search box sends: the words in the body of a POST, never in the address."""
    token = csrf_token_from(client.get(f"/da/groups/{group_id}").get_data(as_text=True))
    headers = {"HX-Request": "true", "X-CSRFToken": token} if htmx else {}
    data = {"q": text} if htmx else {"q": text, "csrf_token": token}
    return client.post(f"/da/groups/{group_id}/search", data=data, headers=headers).get_data(as_text=True)


def test_search_finds_her_by_first_name_or_phone_digits(login_as, db, staff):
    group_id = add_group(db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2))
    add_woman(db, "Ayşe", "+4520123405", "tr")
    add_woman(db, "Amina", "+4520123401")
    client = login_as("coordinator")
    by_name = search(client, group_id, "AYŞ")
    assert "Ayşe" in by_name and "Amina" not in by_name and "<html" not in by_name
    by_phone = search(client, group_id, "2012 3401", htmx=False)
    assert "<html" in by_phone and "Amina" in by_phone and "Ayşe" not in by_phone
    assert "+4520123401" not in by_phone  # only the last digits are shown
    assert "Amina" not in search(client, group_id, "%%")
    # A search in the address is not read: nothing typed may land in a history or a log.
    assert (
        "Amina"
        not in client.get(f"/da/groups/{group_id}?q=Amina").get_data(as_text=True).split('id="enrol"')[1]
    )


def test_a_facilitator_finds_only_women_offered_to_her_group_or_in_her_groups_and_never_by_phone(
    app, login_as, db, staff
):
    group_id = add_group(db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2))
    other_group = add_group(
        db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2), name="Let motion"
    )
    offered = add_woman(db, "Amina", "+4520123401")
    in_her_other_group = add_woman(db, "Aisha", "+4520123402")
    stranger = add_woman(db, "Asma", "+4520123403")
    groups.enrol(db, other_group, in_her_other_group)
    groups.offer(db, group_id, offered, staff["coordinator"])
    client = login_as("facilitator")
    page = client.get(f"/da/groups/{group_id}").get_data(as_text=True)
    assert "Amina" in page.split('id="enrol"')[1]  # offered: listed with an Enrol button
    found = search(client, group_id, "As") + search(client, group_id, "Am") + search(client, group_id, "Ai")
    assert "Amina" in found and "Aisha" in found and "Asma" not in found
    assert "Amina" not in search(client, group_id, "20123401")  # a number tells a facilitator nothing
    assert "0123401" not in found  # not even the last digits
    token = csrf_token_from(page)
    url = f"/da/groups/{group_id}/members"
    assert client.post(url, data={"csrf_token": token, "participant_id": stranger}).status_code == 403
    assert client.post(url, data={"csrf_token": token, "participant_id": offered}).status_code == 302
    assert (
        client.post(url, data={"csrf_token": token, "participant_id": in_her_other_group}).status_code == 302
    )
    assert db.execute("SELECT count(*) FROM group_offers").fetchone()[0] == 0  # the offer is used up


def test_a_coordinator_offers_a_woman_to_a_group_from_her_record(app, login_as, db, staff):
    group_id = add_group(db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2))
    woman = add_woman(db, "Amina", "+4520123401")
    client = login_as("coordinator")
    record = f"/da/participants/{woman}"
    response = client.post(
        record + "/offers", data={"csrf_token": csrf_token_from(client.get(record).get_data(as_text=True))}
    )
    assert response.status_code == 400
    assert translated(app, "da", "Choose a group.") in response.get_data(as_text=True)
    token = csrf_token_from(client.get(record).get_data(as_text=True))
    response = client.post(record + "/offers", data={"csrf_token": token, "group_id": group_id})
    assert response.status_code == 302
    assert db.execute("SELECT offered_by FROM group_offers").fetchone()[0] == staff["coordinator"]
    page = client.get(record).get_data(as_text=True)
    assert translated(app, "da", "Take back the offer") in page
    client.post(f"{record}/offers/{group_id}/withdraw", data={"csrf_token": token})
    assert db.execute("SELECT count(*) FROM group_offers").fetchone()[0] == 0


def test_a_woman_who_left_is_not_named_on_the_group_page(login_as, db, staff):
    group_id = add_group(db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2))
    woman = add_woman(db, "Amina", "+4520123401")
    groups.enrol(db, group_id, woman)
    groups.leave(db, group_id, woman)
    page = login_as("facilitator").get(f"/da/groups/{group_id}").get_data(as_text=True)
    assert "Amina" not in page


def test_enrol_through_the_page(app, login_as, db, staff):
    group_id = add_group(
        db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2), capacity=1
    )
    first, second = add_woman(db, "Amina", "+4520123401"), add_woman(db, "Samira", "+4520123404")
    for woman in (first, second):
        groups.offer(db, group_id, woman, staff["coordinator"])
    client = login_as("facilitator")
    url = f"/da/groups/{group_id}"
    for woman in (first, second):
        token_page = client.get(url).get_data(as_text=True)
        response = client.post(
            url + "/members", data={"csrf_token": csrf_token_from(token_page), "participant_id": woman}
        )
        assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert translated(app, "da", "The group is full: she is on the waitlist.") in page
    assert translated(app, "da", "Waitlist, number %(num)d", num=1) in page


def test_a_facilitator_sees_and_edits_only_her_own_groups(app, db, staff, login_as):
    from blueprints.auth.accounts import create_user

    other = create_user(db, "hanan2", "facilitator", "correct horse battery", "Hanan 2")
    hers = add_group(db, staff["facilitator"], clock.today(), clock.today() + timedelta(weeks=2))
    not_hers = add_group(db, other, clock.today(), clock.today() + timedelta(weeks=2))
    session_id = groups.group_sessions(db, not_hers, "2000")[0]["id"]
    client = login_as("facilitator")
    assert client.get(f"/da/groups/{hers}").status_code == 200
    listing = client.get("/da/groups").get_data(as_text=True)
    assert listing.count("Madklubben") == 1
    for url in (
        f"/da/groups/{not_hers}",
        f"/da/groups/{not_hers}/edit",
        f"/da/groups/{not_hers}/schedule",
        f"/da/groups/{not_hers}/sessions/{session_id}",
    ):
        assert client.get(url).status_code == 403, url
    token_page = client.get(f"/da/groups/{hers}").get_data(as_text=True)
    token = csrf_token_from(token_page)
    for action in ("cancel", "move", "remind", "topic", "reinstate"):
        response = client.post(
            f"/da/groups/{not_hers}/sessions/{session_id}/{action}",
            data={"csrf_token": token, "cancel-reason": "x"},
        )
        assert response.status_code == 403, action
    assert (
        client.post(
            f"/da/groups/{not_hers}/members", data={"csrf_token": token, "participant_id": "1"}
        ).status_code
        == 403
    )
    # A session of another group under her group's address is not found either.
    assert client.get(f"/da/groups/{hers}/sessions/{session_id}").status_code == 404
    assert db.execute("SELECT count(*) FROM sessions WHERE cancelled_at IS NOT NULL").fetchone()[0] == 0


def test_cancelling_a_session_texts_each_woman_in_her_language_without_the_programme(
    app, login_as, db, staff
):
    group_id = add_group(
        db, staff["facilitator"], clock.today() + timedelta(days=1), clock.today() + timedelta(weeks=2)
    )
    for name, phone, language in (("Amina", "+4520123401", "ar"), ("Fatma", "+4520123402", "tr")):
        groups.enrol(db, group_id, add_woman(db, name, phone, language))
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    client = login_as("facilitator")
    url = f"/da/groups/{group_id}/sessions/{session_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    response = client.post(
        url + "/cancel",
        data={
            "csrf_token": token,
            "cancel-phrase": "leader_ill",
            "cancel-reason": "Hanan har influenza",
            "cancel-notify": "sms",
        },
    )
    assert response.status_code == 302
    lines = Path(app.config["SMS_FILE"]).read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line) for line in lines]
    assert {text["to"] for text in texts} == {"+4520123401", "+4520123402"}
    arabic = next(text["text"] for text in texts if text["to"] == "+4520123401")
    turkish = next(text["text"] for text in texts if text["to"] == "+4520123402")
    with app.test_request_context():
        assert arabic.startswith(
            translated(
                app, "ar", "Cancelled: %(when)s, %(place)s. %(reason)s", when="", place="", reason=""
            ).split(" ")[0]
        )
    assert arabic != turkish
    for text in (arabic, turkish):
        assert "Beboerhuset" in text and "Madklubben" not in text and "Amina" not in text
        assert "influenza" not in text  # words typed by staff never reach her phone
    assert translated(app, "ar", "The group leader is ill.") in arabic
    assert translated(app, "tr", "The group leader is ill.") in turkish
    assert (
        db.execute("SELECT count(*) FROM texts_sent WHERE kind = 'cancelled' AND delivered = 1").fetchone()[0]
        == 2
    )


def test_cancel_without_a_reason_is_refused_with_a_message(app, login_as, db, staff):
    group_id = add_group(
        db, staff["facilitator"], clock.today() + timedelta(days=1), clock.today() + timedelta(weeks=2)
    )
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    client = login_as("facilitator", lang="ur")
    url = f"/ur/groups/{group_id}/sessions/{session_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    for phrase, message in (("", "Choose a reason."), ("other", "Write the reason in a few words.")):
        response = client.post(
            url + "/cancel",
            data={"csrf_token": token, "cancel-phrase": phrase, "cancel-reason": "", "cancel-notify": "page"},
        )
        assert response.status_code == 400, (phrase, response.location)
        assert translated(app, "ur", message) in response.get_data(as_text=True)
    assert db.execute("SELECT cancelled_at FROM sessions WHERE id = ?", [session_id]).fetchone()[0] is None


def test_moving_a_session_keeps_the_local_time_typed(login_as, db, staff):
    group_id = add_group(
        db, staff["facilitator"], clock.today() + timedelta(days=1), clock.today() + timedelta(weeks=2)
    )
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    client = login_as("facilitator")
    url = f"/da/groups/{group_id}/sessions/{session_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    day = date(2027, 7, 1)  # summer time
    form = {
        "csrf_token": token,
        "move-day": day.isoformat(),
        "move-start_time": "13:30",
        "move-end_time": "15:00",
        "move-place": "Hallen",
        "move-topic": "",
        "move-notify": "page",
    }
    assert client.post(url + "/move", data=form).status_code == 302
    row = groups.session(db, session_id)
    starts = datetime.fromisoformat(row["starts_at"]).astimezone(LOCAL)
    assert (starts.date(), starts.hour, starts.minute) == (day, 13, 30)
    assert row["place"] == "Hallen" and row["moved_at"] and row["sequence"] == 1
    bad = client.post(url + "/move", data=form | {"move-end_time": "12:00"})
    assert bad.status_code == 400 and 'value="Hallen"' in bad.get_data(as_text=True)


def test_the_sms_gateway_is_called_with_json_and_a_bearer_token(app):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    from sms import HttpSender

    sender = HttpSender(f"http://127.0.0.1:{server.server_port}/send", "secret", "Info")
    assert sender.send("+4520123401", "Påmindelse") is True
    thread.join(5)
    server.server_close()
    assert received == [("Bearer secret", {"to": "+4520123401", "from": "Info", "text": "Påmindelse"})]
    assert HttpSender("http://127.0.0.1:9/none", "x", "Info", timeout=1).send("+4520123401", "x") is False


TOO_MANY = "At most %(max)d characters."
CONTROL = "Remove the invisible control characters."


def refusal(value, maximum, required=None):
    """The message (and its variables) a short text field of `maximum` characters shows for `value`;
    None when the value is taken."""
    if not value.strip():
        return (required, {}) if required else None
    if len(value) > maximum:
        return TOO_MANY, {"max": maximum}
    if "\u202e" in value or "\x00" in value:
        return CONTROL, {}
    return None


@pytest.mark.parametrize(
    "value", ["", "   ", "x" * 10_000, "Amina أمينة 123", "abc\u202edcba", "\x00", "<script>x</script>"]
)
def test_bad_text_in_group_and_session_forms_is_refused_kindly_or_stored_escaped(
    app, login_as, db, staff, estate, value
):
    client = login_as("coordinator")
    response = post_form(client, "/da/groups/new", group_form(estate, name=value))
    refused = refusal(value, 80, "Give the group a name.")
    page = response.get_data(as_text=True)
    if refused:
        assert response.status_code == 400
        assert translated(app, "da", refused[0], **refused[1]) in page
        assert 'value="Beboerhuset"' in page
        assert db.execute("SELECT count(*) FROM groups").fetchone()[0] == 0
    else:
        assert response.status_code == 302
        assert db.execute("SELECT name FROM groups").fetchone()["name"] == value
        assert "<script>x</script>" not in client.get(response.location).get_data(as_text=True)

    group_id = add_group(
        db, staff["facilitator"], clock.today() + timedelta(days=1), clock.today() + timedelta(weeks=1)
    )
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    url = f"/da/groups/{group_id}/sessions/{session_id}"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    cancel = client.post(
        url + "/cancel",
        data={"csrf_token": token, "cancel-phrase": "other", "cancel-reason": value, "cancel-notify": "page"},
    )
    stored = groups.session(db, session_id)
    refused = refusal(value, 200, "Write the reason in a few words.")
    if refused:
        assert cancel.status_code == 400
        assert translated(app, "da", refused[0], **refused[1]) in cancel.get_data(as_text=True)
        assert (stored["cancelled_at"], stored["cancel_reason"]) == (None, "")
    else:
        assert (cancel.status_code, cancel.location) == (302, url)
        assert stored["cancelled_at"] is not None and stored["cancel_reason"] == value
        assert "<script>x</script>" not in client.get(url).get_data(as_text=True)

    topic = client.post(
        url + "/topic", data={"csrf_token": token, "topic-topic": value, "topic-bring": value}
    )
    stored = db.execute("SELECT topic, bring FROM sessions WHERE id = ?", [session_id]).fetchone()
    refused = refusal(value, 120)
    if refused:
        assert topic.status_code == 400
        page = topic.get_data(as_text=True)
        assert translated(app, "da", refused[0], **refused[1]) in page
        if refused[0] == TOO_MANY:  # both fields are too long, each says its own limit
            assert translated(app, "da", TOO_MANY, max=200) in page
        assert tuple(stored) == ("", "")
    else:
        assert (topic.status_code, topic.location) == (302, url)
        assert tuple(stored) == (value.strip(), value.strip())


def test_capacity_below_the_women_enrolled_is_refused(app, login_as, db, staff, estate):
    client = login_as("coordinator")
    group_id = new_group_id(post_form(client, "/da/groups/new", group_form(estate)))
    for index in range(3):
        groups.enrol(db, group_id, add_woman(db, f"W{index}", f"+4520000{index:03d}"))
    edit = post_form(client, f"/da/groups/{group_id}/edit", group_form(estate, capacity="2"))
    assert edit.status_code == 400
    message = "%(num)d women are enrolled: keep at least %(num)d places, or take women out first."
    assert translated(app, "da", message, num=3) in edit.get_data(as_text=True)
    assert groups.group(db, group_id)["capacity"] == 12


def test_a_role_model_sees_the_sessions_of_the_group_she_leads(app, login_as, db, staff, estate):
    amina = add_woman(db, "Amina", "+4520123401")
    client = login_as("coordinator")
    group_id = new_group_id(post_form(client, "/da/groups/new", group_form(estate)))
    groups.enrol(db, group_id, amina)
    form = group_form(estate, role_models=[str(amina)])
    assert post_form(client, f"/da/groups/{group_id}/edit", form).status_code == 302
    assert [row["first_name"] for row in groups.role_models(db, group_id)] == ["Amina"]
    from blueprints.me.queries import her_sessions

    sessions = her_sessions(db, amina, "2000")
    assert sessions and all(row["leads"] for row in sessions)
    groups.leave(db, group_id, amina)  # leaving the group ends leading it
    assert her_sessions(db, amina, "2000") == []
    assert groups.role_models(db, group_id) == []


def test_moving_a_cancelled_session_makes_it_take_place_and_cancelling_twice_texts_once(app, db, staff):
    group_id = add_group(db, staff["facilitator"], clock.today() + timedelta(days=1))
    groups.enrol(db, group_id, add_woman(db, "Amina", "+4520123401"))
    session = groups.group_sessions(db, group_id, "2000")[0]
    assert groups.cancel_session(db, session["id"], "Sygdom") is True
    assert groups.cancel_session(db, session["id"], "Sygdom") is False
    later = datetime.fromisoformat(session["starts_at"]) + timedelta(days=1)
    groups.move_session(db, session["id"], later, later + timedelta(hours=2), "")
    moved = groups.session(db, session["id"])
    assert moved["cancelled_at"] is None and moved["cancel_reason"] == ""


def test_a_session_on_the_night_the_clocks_go_forward_still_ends_after_it_starts():
    from blueprints.groups.schedule import session_times

    starts, ends = session_times(date(2026, 3, 29), time(2, 30), time(3, 0))
    assert ends - starts == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("participant_id", "status"),
    [("0", 400), (str(2**70), 400), ("-1", 400), ("abc", 400), ("", 400), ("999999", 404)],
)
def test_absurd_participant_ids_are_refused_not_a_500(app, login_as, db, staff, participant_id, status):
    group_id = add_group(db, staff["facilitator"])
    client = login_as("coordinator")
    token = csrf_token_from(client.get(f"/da/groups/{group_id}").get_data(as_text=True))
    response = client.post(
        f"/da/groups/{group_id}/members", data={"csrf_token": token, "participant_id": participant_id}
    )
    assert response.status_code == status
    message = {
        400: "The request could not be understood. Go back and try again.",
        404: "This page does not exist.",
    }[status]
    assert translated(app, "da", message) in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM enrolments").fetchone()[0] == 0


def test_a_first_day_centuries_away_is_refused_not_a_500(app, login_as, estate):
    client = login_as("coordinator")
    response = post_form(
        client, "/da/groups/new", group_form(estate, first_day="0001-01-01", start_time="00:30")
    )
    assert response.status_code == 400
    assert translated(app, "da", "Choose a day within two years from today.") in response.get_data(
        as_text=True
    )


def test_without_a_gateway_outside_debug_no_text_is_sent(app):
    from sms import NoSender, sender_for

    app.testing = False
    app.config["SMS_SENDER"] = ""
    assert isinstance(sender_for(app), NoSender)
    assert NoSender().send("+4520123401", "x") is False


def test_the_console_sender_masks_the_number_and_personal_links(capsys):
    from sms import ConsoleSender

    ConsoleSender().send("+4520123401", "Din kalender: http://x/da/c/AbCdEfGhIjKlMnOpQrStUv")
    printed = capsys.readouterr().out
    assert "+4520123401" not in printed and "AbCdEfGhIjKlMnOpQrStUv" not in printed


def sms_count(app):
    path = Path(app.config["SMS_FILE"])
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


@pytest.mark.usefixtures("fixed_clock")
def test_reminders_go_once_a_day_and_news_once_per_change_each_logged_with_who_sent_it(
    app, login_as, db, staff
):
    group_id = add_group(db, staff["facilitator"], clock.today() + timedelta(days=1))
    groups.enrol(db, group_id, add_woman(db, "Amina", "+4520123401"))
    session = groups.group_sessions(db, group_id, "2000")[0]
    client = login_as("facilitator")
    url = f"/da/groups/{group_id}/sessions/{session['id']}"

    def act(action, **data):
        token = csrf_token_from(client.get(url).get_data(as_text=True))
        return client.post(f"{url}/{action}", data={"csrf_token": token, **data})

    act("remind")
    assert sms_count(app) == 1
    act("remind")
    assert sms_count(app) == 1  # the same day: not again
    page = client.get(url).get_data(as_text=True)
    message = "%(num)d woman already had a reminder today: not sent again."
    assert translated(app, "da", message, num=1) in page
    with clock.fixed(clock.now() + timedelta(hours=20)):  # the next day in Copenhagen
        from .conftest import login

        login(client, "facilitator")  # her login of yesterday has expired
        act("remind")
    assert sms_count(app) == 2

    start = datetime.fromisoformat(session["starts_at"]).astimezone(LOCAL)
    same = {
        "move-day": start.date().isoformat(),
        "move-start_time": start.strftime("%H:%M"),
        "move-end_time": (start + timedelta(hours=2)).strftime("%H:%M"),
        "move-place": "",
        "move-notify": "sms",
    }
    act("move", **same)
    assert sms_count(app) == 1 + 1  # nothing changed: no text
    act("move", **(same | {"move-place": "Hallen"}))
    assert sms_count(app) == 3
    act("cancel", **{"cancel-phrase": "leader_ill", "cancel-notify": "sms"})
    act("cancel", **{"cancel-phrase": "leader_ill", "cancel-notify": "sms"})  # already cancelled
    assert sms_count(app) == 4
    senders = {row[0] for row in db.execute("SELECT sent_by FROM texts_sent")}
    assert senders == {staff["facilitator"]}
    assert [row[0] for row in db.execute("SELECT kind FROM texts_sent ORDER BY id")] == [
        "reminder",
        "reminder",
        "moved",
        "cancelled",
    ]


@pytest.mark.usefixtures("fixed_clock")
def test_a_text_that_did_not_go_is_marked_so_and_tried_again_and_one_that_went_is_not(app, db, staff):
    from blueprints.groups import reminders

    group_id = add_group(db, staff["facilitator"], clock.today() + timedelta(days=1))
    groups.enrol(db, group_id, add_woman(db, "Amina", "+4520123401"))
    groups.enrol(db, group_id, add_woman(db, "Nophone", None))
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    with app.test_request_context():
        assert reminders.send_texts(db, session_id, "reminder", staff["facilitator"]) == (1, 1, 0)
        assert reminders.send_texts(db, session_id, "reminder", staff["facilitator"]) == (0, 1, 1)
    rows = db.execute("SELECT participant_id, delivered FROM texts_sent ORDER BY id").fetchall()
    assert [row["delivered"] for row in rows] == [1, 0, 0]  # claimed as sent, marked when it did not go
