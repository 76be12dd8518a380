"""The casework: new sign-ups to call, the call, enrolment, my women, contacts through the outbox, leaving.
The clock is held at Wednesday 13 January 2027, 09:00 in Copenhagen."""

import itertools
import uuid
from datetime import date, timedelta

import pytest

import clock
from blueprints.casework import pathway
from blueprints.casework import queries as casework
from blueprints.privacy import erasure

from .conftest import add_woman, client_as, csrf_token_from, post_form, translated
from .test_checkin import send

pytestmark = pytest.mark.usefixtures("fixed_clock")

WEDNESDAY = date(2027, 1, 13)
PHONES = itertools.count(21_55_00_00)


def next_phone():
    """A valid Danish mobile number no other test woman has."""
    return f"+45{next(PHONES)}"


# ---- The rules of time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signed_up", "working_days", "overdue"),
    [
        (date(2027, 1, 13), 0, False),  # today
        (date(2027, 1, 8), 3, False),  # Friday: Monday, Tuesday, Wednesday
        (date(2027, 1, 7), 4, True),  # Thursday: the weekend does not count, Friday does
        (date(2027, 1, 9), 3, False),  # Saturday
        (date(2026, 12, 30), 8, True),  # 31 December and New Year's Day are days off
    ],
)
def test_a_sign_up_is_overdue_after_three_working_days(signed_up, working_days, overdue):
    assert pathway.working_days_between(signed_up, WEDNESDAY) == working_days
    assert pathway.call_overdue(signed_up, WEDNESDAY) is overdue


@pytest.mark.parametrize(
    ("days_ago", "urgency"), [(0, ""), (2, ""), (3, "amber"), (5, "amber"), (6, "red"), (None, "red")]
)
def test_contact_colours_are_amber_from_three_days_and_red_after_five(days_ago, urgency):
    last = None if days_ago is None else WEDNESDAY - timedelta(days=days_ago)
    assert pathway.contact_urgency(last, WEDNESDAY) == urgency


def test_six_weeks_without_an_activity_is_too_long_but_not_while_one_goes_on():
    six_weeks_ago = WEDNESDAY - timedelta(weeks=6)
    assert not pathway.activity_gap_too_long(six_weeks_ago, WEDNESDAY, False, None)
    assert pathway.activity_gap_too_long(six_weeks_ago - timedelta(days=1), WEDNESDAY, False, None)
    assert not pathway.activity_gap_too_long(six_weeks_ago - timedelta(days=1), WEDNESDAY, True, None)
    # Never an activity: counted from her enrolment.
    assert pathway.activity_gap_too_long(None, WEDNESDAY, False, WEDNESDAY - timedelta(days=43))
    assert not pathway.activity_gap_too_long(None, WEDNESDAY, False, WEDNESDAY - timedelta(days=41))
    assert pathway.weeks_without_activity(six_weeks_ago - timedelta(days=1), WEDNESDAY, False) == 6


def test_a_small_job_month_under_thirty_hours_is_flagged_and_the_year_is_its_last_twelve_months():
    assert pathway.month_too_short(29.5) and not pathway.month_too_short(30)
    months = pathway.last_twelve_months(WEDNESDAY)
    assert months[0] == "2026-02" and months[-1] == "2027-01" and len(months) == 12


@pytest.mark.parametrize(
    ("enrolled", "last", "due"),
    [
        (date(2026, 10, 1), None, date(2026, 10, 1)),  # at enrolment
        (date(2026, 10, 1), date(2026, 10, 1), date(2027, 1, 1)),
        (date(2026, 10, 1), date(2026, 11, 30), date(2027, 2, 28)),  # a shorter month: its last day
    ],
)
def test_progress_answers_are_due_at_enrolment_and_every_three_months(enrolled, last, due):
    assert pathway.progress_due_on(enrolled, last) == due


# ---- New sign-ups to call ---------------------------------------------------------------------------------


def signed_up(db, name, on, phone=None, channel="door_to_door"):
    woman = add_woman(db, name, phone or next_phone())
    db.execute(
        "UPDATE participants SET registered_at = ?, channel = ? WHERE id = ?",
        [f"{on}T10:00:00+00:00", channel, woman],
    )
    return woman


def test_the_queue_shows_who_waited_longest_first_with_overdue_marks(app, db, staff):
    late = signed_up(db, "Hawa", "2027-01-07", "+4520000001", channel="poster")
    fresh = signed_up(db, "Leyla", "2027-01-12", "+4520000002")
    ontime = signed_up(db, "Sara", "2027-01-08", "+4520000003")
    rows = casework.women_to_call(db, {"id": staff["admin"], "role": "admin"})
    assert [row["id"] for row in rows] == [late, ontime, fresh]
    page = client_as(app, "coordinator").get("/da/calls").get_data(as_text=True)
    assert page.index("Hawa") < page.index("Sara") < page.index("Leyla")
    assert page.count(translated(app, "da", "Overdue")) == 1
    hawa_card = page[page.index("Hawa") : page.index("Sara")]
    assert translated(app, "da", "Overdue") in hawa_card
    assert translated(app, "da", "Poster (self sign-up)") in hawa_card


def test_no_answer_three_times_sets_her_aside_and_a_new_sign_up_brings_her_back(app, db, staff):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    coordinator = client_as(app, "coordinator")
    for tries in (1, 2):
        assert (
            post_form(coordinator, f"/da/participants/{woman}/call", {"outcome": "no_answer"}).status_code
            == 302
        )
        assert casework.stage_of(db, woman)["stage"] == "new"
        assert casework.tries_since_waiting(db, woman) == tries
    post_form(coordinator, f"/da/participants/{woman}/call", {"outcome": "no_answer"})
    assert casework.stage_of(db, woman)["stage"] == "set_aside"
    page = coordinator.get("/da/calls").get_data(as_text=True)
    assert page.index("Hawa") > page.index('id="set-aside"')
    casework.signed_up_again(db, woman)
    assert casework.stage_of(db, woman)["stage"] == "new"


@pytest.mark.parametrize(
    ("outcome", "stage"),
    [("reached", "contacted"), ("not_interested", "closed"), ("wrong_number", "closed")],
)
def test_each_call_outcome_moves_her_on(app, db, staff, outcome, stage):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    response = post_form(
        client_as(app, "coordinator"), f"/da/participants/{woman}/call", {"outcome": outcome}
    )
    assert response.status_code == 302
    assert casework.stage_of(db, woman)["stage"] == stage
    assert woman not in {row["id"] for row in casework.women_to_call(db, {"id": 0, "role": "admin"})}


def test_a_booked_meeting_needs_its_day_and_the_form_keeps_the_choice(app, db, staff):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    coordinator = client_as(app, "coordinator")
    response = post_form(coordinator, f"/da/participants/{woman}/call", {"outcome": "meeting_booked"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "da", "Write the day of the meeting.") in page
    assert 'value="meeting_booked" checked' in page or 'checked id="outcome-1"' in page
    past = post_form(
        coordinator,
        f"/da/participants/{woman}/call",
        {"outcome": "meeting_booked", "meeting_on": "2027-01-01"},
    )
    assert past.status_code == 400 and translated(
        app, "da", "The day cannot be in the past."
    ) in past.get_data(as_text=True)
    ok = post_form(
        coordinator,
        f"/da/participants/{woman}/call",
        {"outcome": "meeting_booked", "meeting_on": "2027-01-15"},
    )
    assert ok.status_code == 302
    assert db.execute("SELECT meeting_on FROM calls").fetchone()[0] == "2027-01-15"


def test_a_coordinator_takes_a_woman_from_the_queue(app, db, staff):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    coordinator = client_as(app, "coordinator")
    response = post_form(coordinator, f"/da/participants/{woman}/take", {"back": "calls"})
    assert response.status_code == 302 and response.location.endswith("/da/calls")
    assert (
        db.execute("SELECT coordinator_id FROM participants WHERE id = ?", [woman]).fetchone()[0]
        == staff["coordinator"]
    )


def test_a_poster_sign_up_with_a_known_number_waits_in_the_queue_for_a_decision(app, db, staff):
    from .test_privacy import self_signup

    db.execute("INSERT INTO estates (name, municipality) VALUES ('Vejleåparken', 'Ishøj')")
    db.execute(
        "INSERT INTO consent_texts (version, language, text, text_hash, created_at) VALUES (1, 'ar', 't', 'x', '2026-01-01')"
    )
    signed_up(db, "Hawa", "2027-01-07", "+4529998877")
    self_signup(app, db, staff, "Hawaa")
    page = client_as(app, "coordinator").get("/da/calls").get_data(as_text=True)
    awaiting = page[page.index('id="awaiting"') :]
    assert "Hawaa" in awaiting and translated(app, "da", "The same woman: add to her record") in awaiting


# ---- Enrolment and leaving --------------------------------------------------------------------------------


def enrolment(staff, **changes):
    return {
        "enrolled_on": "2027-01-13",
        "coordinator_id": str(staff["coordinator"]),
        "benefit": "activity_ready",
        "action_plan": "agreed",
        "action_plan_on": "2027-01-11",
        "planned_end_on": "2027-06-02",
    } | changes


def test_enrolment_makes_her_one_of_her_coordinators_women(app, db, staff):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    admin = client_as(app, "admin")
    assert post_form(admin, f"/da/participants/{woman}/enrol", enrolment(staff)).status_code == 302
    row = db.execute("SELECT stage, coordinator_id FROM participants WHERE id = ?", [woman]).fetchone()
    assert tuple(row) == ("enrolled", staff["coordinator"])
    stay = casework.open_visitation(db, woman)
    assert (stay["benefit"], stay["action_plan_on"], stay["recorded_by"]) == (
        "activity_ready",
        "2027-01-11",
        staff["admin"],
    )
    again = client_as(app, "admin").get(f"/da/participants/{woman}/enrol")
    assert again.status_code == 302  # enrolled already: back to her record


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"enrolled_on": "2027-02-01"}, "The day cannot be in the future."),
        ({"enrolled_on": "13-01-2027"}, "Write a date as year-month-day, e.g. 2026-03-01."),
        ({"benefit": "rich"}, "Choose her benefit situation."),
        ({"action_plan_on": ""}, "Write the day the plan was agreed."),
        ({"planned_end_on": "2027-01-01"}, "The end must be after the start."),
        ({"planned_end_on": "2207-01-01"}, "Check the year."),
        ({"coordinator_id": "99999"}, "Choose among the options shown."),
        ({"coordinator_id": "abc"}, "Choose among the options shown."),
    ],
)
def test_bad_enrolment_input_is_refused_and_kept(app, db, staff, changes, message):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    data = enrolment(staff, **changes)
    response = post_form(client_as(app, "coordinator"), f"/da/participants/{woman}/enrol", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "da", message) in page
    for key, value in data.items():
        if value and key not in changes or key in ("enrolled_on", "planned_end_on"):
            assert value in page  # what was typed stays (a choice that does not exist cannot be shown)
    assert casework.open_visitation(db, woman) is None


def test_she_leaves_with_a_reason_and_can_come_back(app, db, staff):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    coordinator = client_as(app, "coordinator")
    post_form(coordinator, f"/da/participants/{woman}/enrol", enrolment(staff, enrolled_on="2027-01-04"))
    early = post_form(
        coordinator, f"/da/participants/{woman}/leave", {"left_on": "2027-01-01", "reason": "moved"}
    )
    assert early.status_code == 400
    assert translated(app, "da", "She cannot leave before she was enrolled.") in early.get_data(as_text=True)
    done = post_form(
        coordinator, f"/da/participants/{woman}/leave", {"left_on": "2027-01-12", "reason": "ordinary_job"}
    )
    assert done.status_code == 302
    assert casework.stage_of(db, woman)["stage"] == "left"
    record = coordinator.get(f"/da/participants/{woman}").get_data(as_text=True)
    assert translated(app, "da", "Ordinary job") in record
    back = post_form(
        coordinator, f"/da/participants/{woman}/enrol", enrolment(staff, enrolled_on="2027-01-11")
    )
    assert back.status_code == 400  # before the day she left
    back = post_form(coordinator, f"/da/participants/{woman}/enrol", enrolment(staff))
    assert back.status_code == 302
    assert (
        len(casework.visitations_of(db, woman)) == 2 and casework.stage_of(db, woman)["stage"] == "enrolled"
    )


# ---- My women ---------------------------------------------------------------------------------------------


def enrolled(db, staff, name, contact_days_ago=None, coordinator="coordinator", enrolled_on="2026-12-01"):
    woman = add_woman(db, name, next_phone())
    casework.enrol(
        db,
        woman,
        {
            "enrolled_on": enrolled_on,
            "coordinator_id": staff[coordinator],
            "benefit": "job_ready",
            "action_plan": "not_yet",
            "action_plan_on": None,
            "planned_end_on": None,
        },
        staff[coordinator],
    )
    if contact_days_ago is not None:
        moment = clock.now() - timedelta(days=contact_days_ago)
        casework.add_contact(
            db,
            str(uuid.uuid4()),
            "x",
            woman,
            "meeting",
            moment.isoformat(timespec="seconds"),
            "",
            staff[coordinator],
        )
    return woman


def test_my_women_are_in_order_of_urgency_with_their_colours(app, db, staff):
    recent = enrolled(db, staff, "Aisha", contact_days_ago=1)
    amber = enrolled(db, staff, "Bushra", contact_days_ago=4)
    red = enrolled(db, staff, "Chaima", contact_days_ago=8)
    never = enrolled(db, staff, "Dilan")
    enrolled(db, staff, "Elif", contact_days_ago=0, coordinator="admin")  # another's
    women = casework.caseload(
        db, {"id": staff["coordinator"], "role": "coordinator"}, staff["coordinator"], WEDNESDAY
    )
    assert [w["id"] for w in women] == [never, red, amber, recent]
    assert [w["contact_urgency"] for w in women] == ["red", "red", "amber", ""]
    assert [w["days_since_contact"] for w in women] == [None, 8, 4, 1]
    page = client_as(app, "coordinator").get("/da/my-women")
    html = page.get_data(as_text=True)
    assert page.headers["X-Offline-Page"] == "1"
    assert html.index("Dilan") < html.index("Chaima") < html.index("Bushra") < html.index("Aisha")
    assert "Elif" not in html
    assert "+452155" not in html and "55 00" not in html  # first names only: the phone keeps this page
    assert translated(app, "da", "Meet her soon") in html and translated(app, "da", "Meet her now") in html


def test_the_caseload_says_when_her_answers_on_the_four_aims_are_due(app, db, staff):
    asked = enrolled(db, staff, "Aisha", contact_days_ago=1, enrolled_on="2026-10-01")
    never = enrolled(db, staff, "Bushra", contact_days_ago=1, enrolled_on="2027-01-13")
    answers = dict(work_identity=3, society_norms=3, workplace_expectations=3, health_barriers=3)
    casework.add_progress(db, asked, "2026-10-14", answers, "ar", staff["coordinator"])
    user = {"id": staff["coordinator"], "role": "coordinator"}
    due = {row["id"]: row["answers_due"] for row in casework.caseload(db, user, None, WEDNESDAY)}
    assert due == {asked: False, never: True}  # asked 14 October: due 14 January; enrolled today: due today
    later = {row["id"]: row["answers_due"] for row in casework.caseload(db, user, None, date(2027, 1, 14))}
    assert later[asked] is True
    page = client_as(app, "coordinator").get("/da/my-women").get_data(as_text=True)
    assert page.count(translated(app, "da", "Time to ask her the four questions")) == 1


def test_coming_to_a_group_counts_as_a_contact(app, db, staff):
    from blueprints.groups import queries as groups

    from .conftest import add_group
    from .test_checkin import checkin_item

    woman = enrolled(db, staff, "Aisha", contact_days_ago=9)
    group_id = add_group(db, staff["facilitator"], clock.today(), clock.today(), weekdays=tuple(range(7)))
    groups.enrol(db, group_id, woman)
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    (answer,) = send(client_as(app, "facilitator"), checkin_item(session_id, participant_id=woman))
    assert answer["status"] == "ok"
    (row,) = casework.caseload(db, {"id": staff["coordinator"], "role": "coordinator"}, None, WEDNESDAY)
    assert row["days_since_contact"] == 0 and row["contact_urgency"] == ""


def test_the_caseload_warns_above_its_limit(app, db, staff):
    import settings

    settings.put(db, "caseload_limit", 5)
    for index in range(6):
        enrolled(db, staff, f"Kvinde{index}", contact_days_ago=index)
    page = client_as(app, "coordinator").get("/da/my-women").get_data(as_text=True)
    assert (
        translated(
            app,
            "da",
            "%(num)d women: more than the %(limit)s a coordinator can follow closely.",
            num=6,
            limit=5,
        )
        in page
    )


def test_a_six_week_gap_shows_red_in_the_caseload(app, db, staff):
    woman = enrolled(db, staff, "Aisha", contact_days_ago=1, enrolled_on="2026-11-01")
    (row,) = casework.caseload(db, {"id": staff["coordinator"], "role": "coordinator"}, None, WEDNESDAY)
    assert row["activity_gap"] and row["current_step"] is None
    db.execute(
        "INSERT INTO steps (participant_id, kind, started_on, recorded_at) VALUES (?, 'danish_course', '2027-01-04', ?)",
        [woman, clock.now_iso()],
    )
    (row,) = casework.caseload(db, {"id": staff["coordinator"], "role": "coordinator"}, None, WEDNESDAY)
    assert not row["activity_gap"] and row["current_step"] == "danish_course"


def test_call_and_text_links_fetch_her_number_only_when_tapped(app, db, staff):
    woman = enrolled(db, staff, "Aisha")
    coordinator = client_as(app, "coordinator")
    response = coordinator.get(f"/da/participants/{woman}/dial/tel")
    assert response.status_code == 303 and response.location.startswith("tel:+452155")
    assert coordinator.get(f"/da/participants/{woman}/dial/sms").location.startswith("sms:+452155")
    assert client_as(app, "facilitator").get(f"/da/participants/{woman}/dial/tel").status_code == 403


# ---- Contacts through the outbox --------------------------------------------------------------------------


def contact_item(woman, item_id=None, **data):
    values = {"participant_id": woman, "kind": "phone", "contacted_at": clock.now_iso(), "note": ""}
    return {
        "id": item_id or str(uuid.uuid4()),
        "kind": "contact",
        "recorded_at": clock.now_iso(),
        "data": values | data,
    }


def test_a_contact_is_stored_once_however_often_it_is_sent(app, db, staff):
    woman = enrolled(db, staff, "Aisha")
    coordinator = client_as(app, "coordinator")
    item = contact_item(woman, note="Talte om jobcafé")
    assert send(coordinator, item)[0]["status"] == "ok"
    assert send(coordinator, item)[0]["status"] == "duplicate"  # the answer was lost: sent again
    changed = item | {"data": item["data"] | {"kind": "meeting"}}
    assert send(coordinator, changed)[0]["status"] == "conflict"
    assert db.execute("SELECT count(*), kind, note FROM contacts").fetchone()[:] == (
        1,
        "phone",
        "Talte om jobcafé",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "telepathy"}, "kind"),
        ({"note": "x" * 501}, "note"),
        ({"note": "ok \u202egnirts desrever"}, "note"),
        ({"contacted_at": "2027-01-14T09:00:00+01:00"}, "contacted_at"),  # tomorrow
        ({"contacted_at": "yesterday"}, "contacted_at"),
        ({"participant_id": "abc"}, "participant_id"),
        ({"participant_id": 987654}, "participant_id"),  # another programme's woman
    ],
)
def test_a_bad_contact_is_refused_with_its_field(app, db, staff, data, field):
    woman = enrolled(db, staff, "Aisha")
    (answer,) = send(client_as(app, "coordinator"), contact_item(woman, **data))
    assert answer["status"] == "invalid" and field in answer["errors"], answer
    assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0


def test_a_contact_for_an_erased_woman_is_gone_and_for_a_stranger_refused(app, db, staff):
    woman = enrolled(db, staff, "Aisha")
    other = enrolled(db, staff, "Bushra", coordinator="admin")
    erasure.erase(db, woman, "test")
    coordinator = client_as(app, "coordinator")
    (gone,) = send(coordinator, contact_item(woman))
    assert (gone["status"], gone["reason"]) == ("gone", "erased")
    (refused,) = send(coordinator, contact_item(other))
    assert (refused["status"], refused["reason"]) == ("invalid", "not_yours")
    (facilitator,) = send(client_as(app, "facilitator"), contact_item(other))
    assert facilitator["reason"] == "not_yours"


def test_a_contact_by_the_form_keeps_what_was_typed_when_refused(app, db, staff):
    woman = enrolled(db, staff, "Aisha")
    coordinator = client_as(app, "coordinator")
    url = f"/da/participants/{woman}"
    page = coordinator.get(url).get_data(as_text=True)
    token = csrf_token_from(page)
    item_id = page.split('name="item_id" value="')[1].split('"')[0]
    note = "Hun vil gerne \u202eprøve"
    response = coordinator.post(
        url + "/contacts", data={"csrf_token": token, "item_id": item_id, "kind": "meeting", "note": note}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert translated(app, "da", "Remove the invisible control characters.") in html and note in html
    for _ in range(2):  # a double tap stores one contact
        response = coordinator.post(
            url + "/contacts",
            data={"csrf_token": token, "item_id": item_id, "kind": "meeting", "note": "Godt møde"},
        )
        assert response.status_code == 302
    assert db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 1
    later = coordinator.post(
        url + "/contacts",
        data={"csrf_token": token, "kind": "phone", "when": "2027-01-20T10:00"},
    )
    assert later.status_code == 400
    assert "2027-01-20T10:00" in later.get_data(as_text=True)


def test_a_contact_brings_a_woman_out_of_the_queue(app, db, staff):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    send(client_as(app, "coordinator"), contact_item(woman, kind="home_visit"))
    assert casework.stage_of(db, woman)["stage"] == "contacted"


# ---- Who sees what ----------------------------------------------------------------------------------------


def test_a_job_consultant_sees_the_enrolled_women_and_the_queue_but_not_who_left_or_said_no(app, db, staff):
    mine = enrolled(db, staff, "Aisha")
    queued = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    closed = signed_up(db, "Nour", "2027-01-07", "+4520000002")
    casework.record_call(db, closed, "not_interested", None, staff["coordinator"], 3)
    consultant = client_as(app, "job_consultant")
    assert consultant.get(f"/da/participants/{mine}").status_code == 200
    assert consultant.get(f"/da/participants/{queued}").status_code == 200
    assert consultant.get(f"/da/participants/{closed}").status_code == 403
    assert "Aisha" in consultant.get("/da/my-women").get_data(as_text=True)
    assert consultant.get("/da/admin/users").status_code == 403
    assert consultant.get("/da/groups").status_code == 403


def test_a_coordinator_sees_only_her_own_caseload(app, db, staff):
    enrolled(db, staff, "Aisha")
    enrolled(db, staff, "Elif", coordinator="admin")
    page = (
        client_as(app, "coordinator").get(f"/da/my-women?coordinator={staff['admin']}").get_data(as_text=True)
    )
    assert "Aisha" in page and "Elif" not in page
    every = client_as(app, "admin").get("/da/my-women").get_data(as_text=True)
    assert "Aisha" in every and "Elif" in every


# ---- Pathway steps and companies --------------------------------------------------------------------------


def add_company(client, name="Netto Ishøj", **fields):
    data = {
        "name": name,
        "address": "Ishøj Strandvej 1",
        "contact_name": "Jens",
        "contact_phone": "43 12 34 56",
    }
    response = post_form(client, "/da/companies", data | fields)
    return response


def company_id(db, name="Netto Ishøj"):
    return db.execute("SELECT id FROM companies WHERE name = ?", [name]).fetchone()[0]


def step(client, woman, **fields):
    return post_form(client, f"/da/participants/{woman}/steps/new", fields)


def test_a_company_is_added_checked_and_lists_its_steps(app, db, staff):
    coordinator = client_as(app, "coordinator")
    assert add_company(coordinator).status_code == 302
    row = db.execute("SELECT contact_phone, cvr FROM companies").fetchone()
    assert tuple(row) == ("+4543123456", None)
    long = add_company(coordinator, name="N" * 10_000)
    assert long.status_code == 400
    assert translated(app, "da", "Write at most %(max)d characters.", max=200) in long.get_data(as_text=True)
    bad = add_company(coordinator, name="Føtex", cvr="1234", contact_phone="12")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Føtex" in page
    assert translated(app, "da", "A CVR number has 8 digits.") in page
    assert translated(app, "da", "This phone number cannot be right.") in page
    assert add_company(coordinator, name="Føtex", cvr="12345678").status_code == 302
    twice = add_company(coordinator, name="Føtex 2", cvr="12345678")
    assert twice.status_code == 400
    assert translated(app, "da", "A company with this CVR number is on the list already.") in twice.get_data(
        as_text=True
    )
    woman = enrolled(db, staff, "Aisha")
    assert (
        step(
            coordinator,
            woman,
            kind="company_visit",
            company_id=str(company_id(db)),
            started_on="2027-01-12",
            ended_on="2027-01-12",
        ).status_code
        == 302
    )
    company_page = coordinator.get(f"/da/companies/{company_id(db)}").get_data(as_text=True)
    assert "Aisha" in company_page and translated(app, "da", "Company visit") in company_page
    assert "Aisha" not in client_as(app, "facilitator").get(f"/da/companies/{company_id(db)}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"planned_start": "2027-02-01", "planned_end": "2027-01-20"}, "The end must be after the start."),
        (
            {"started_on": "2027-01-04", "ended_on": "2027-01-20"},
            "A step cannot be done in the future: write its planned end.",
        ),
        ({"started_on": "2027-01-20"}, "A step cannot have started in the future."),
        (
            {"started_on": "2026-10-01", "ended_on": "2026-11-01"},
            "A step cannot end before she was enrolled (%(day)s).",
        ),
        ({"kind": "internship", "company_id": ""}, "Choose the company."),
        ({"kind": "ordinary_job"}, "Choose full-time or part-time."),
        (
            {"kind": "ordinary_job", "full_time": "0", "hours_per_week": "80"},
            "Write the hours a week, between 1 and 37.",
        ),
        ({"kind": "dancing"}, "Choose the kind of step."),
        ({"planned_start": ""}, "Write when it starts or started."),
        ({"company_id": "999999"}, "Choose among the options shown."),
    ],
)
def test_a_step_that_cannot_be_is_refused_and_the_form_keeps_it(app, db, staff, fields, message):
    coordinator = client_as(app, "coordinator")
    add_company(coordinator)
    woman = enrolled(db, staff, "Aisha")
    data = {
        "kind": "taster_internship",
        "company_id": str(company_id(db)),
        "planned_start": "2027-01-18",
    } | fields
    response = step(coordinator, woman, **data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert translated(app, "da", message, day="2026-12-01") in page
    for key in ("planned_start", "planned_end", "started_on", "ended_on", "hours_per_week"):
        if data.get(key):
            assert f'value="{data[key]}"' in page
    assert db.execute("SELECT count(*) FROM steps").fetchone()[0] == 0


def test_two_full_time_jobs_at_once_are_allowed_but_the_same_step_twice_is_not(app, db, staff):
    coordinator = client_as(app, "coordinator")
    add_company(coordinator)
    add_company(coordinator, name="Føtex")
    woman = enrolled(db, staff, "Aisha")
    job = {"kind": "ordinary_job", "full_time": "1", "started_on": "2027-01-04"}
    assert step(coordinator, woman, company_id=str(company_id(db)), **job).status_code == 302
    assert step(coordinator, woman, company_id=str(company_id(db, "Føtex")), **job).status_code == 302
    again = step(coordinator, woman, company_id=str(company_id(db)), **job | {"started_on": "2027-01-11"})
    assert again.status_code == 400
    assert translated(app, "da", "She has this step at this company at that time already.") in again.get_data(
        as_text=True
    )


def test_a_small_job_records_its_hours_flags_a_short_month_and_counts_the_year(app, db, staff):
    coordinator = client_as(app, "coordinator")
    add_company(coordinator)
    woman = enrolled(db, staff, "Aisha", enrolled_on="2026-01-05")
    response = step(
        coordinator, woman, kind="small_job", company_id=str(company_id(db)), started_on="2026-02-02"
    )
    url = response.location
    for month, hours in (("2026-01", 50), ("2026-02", 40), ("2026-12", 24.5), ("2027-01", 160)):
        assert (
            post_form(coordinator, url + "/hours", {"month": month, "hours": str(hours)}).status_code == 302
        )
    post_form(coordinator, url + "/hours", {"month": "2027-01", "hours": "170"})  # replaces the month
    page = coordinator.get(url).get_data(as_text=True)
    # The last 12 months are February 2026 to January 2027: 40 + 24.5 + 170.
    assert (
        translated(app, "da", "Last 12 months: %(hours)s of %(target)s hours", hours="234.5", target=225)
        in page
    )
    assert translated(app, "da", "The 225-hour rule is met.") in page
    assert page.count(translated(app, "da", "Under %(num)s", num=30)) == 1
    for month, hours, message in (
        ("2027-01", "-1", "Between 0 and 744 hours (a whole month, day and night)."),
        ("2027-01", "745", "Between 0 and 744 hours (a whole month, day and night)."),
        ("2027-01", "lots", "Write the hours as a number."),
        ("2027-02", "10", "The month cannot be in the future."),
        ("Jan", "10", "Write the month as year-month, e.g. 2027-01."),
    ):
        bad = post_form(coordinator, url + "/hours", {"month": month, "hours": hours})
        assert bad.status_code == 400 and translated(app, "da", message) in bad.get_data(as_text=True)
        assert f'value="{hours}"' in bad.get_data(as_text=True)
    record = coordinator.get(f"/da/participants/{woman}").get_data(as_text=True)
    assert (
        translated(
            app,
            "da",
            "Hours in paid work, last 12 months: %(hours)s of %(target)s",
            hours="234.5",
            target=225,
        )
        in record
    )


def test_a_step_of_another_woman_or_programme_is_not_found(app, db, staff):
    coordinator = client_as(app, "coordinator")
    first = enrolled(db, staff, "Aisha")
    second = enrolled(db, staff, "Bushra")
    url = step(coordinator, first, kind="danish_course", started_on="2027-01-04").location
    step_id = url.rsplit("/", 1)[1]
    assert coordinator.get(f"/da/participants/{second}/steps/{step_id}").status_code == 404
    assert coordinator.get("/da/participants/999999/steps/new").status_code == 404


def test_steps_need_her_enrolment_first(app, db, staff):
    woman = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    response = client_as(app, "coordinator").get(f"/da/participants/{woman}/steps/new")
    assert response.status_code == 302 and response.location.endswith(f"/participants/{woman}")


# ---- Progress, CV, her record and its timeline ------------------------------------------------------------

FACES_ANSWERED = {
    "work_identity": "2",
    "society_norms": "3",
    "workplace_expectations": "1",
    "health_barriers": "4",
}


def test_she_answers_the_four_questions_in_her_language_and_her_record_shows_the_change(app, db, staff):
    woman = enrolled(db, staff, "Aisha", enrolled_on="2026-10-01")  # Arabic (add_woman's default)
    coordinator = client_as(app, "coordinator")
    page = coordinator.get(f"/da/participants/{woman}/progress").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page
    assert translated(app, "ar", "Can you see yourself in a job?") in page
    assert translated(app, "da", "Save her answers") in page  # the rest in the coordinator's language
    assert page.count('class="face face-') == 20
    missing = post_form(coordinator, f"/da/participants/{woman}/progress", {"work_identity": "2"})
    assert missing.status_code == 400 and translated(app, "da", "Let her choose a face.") in missing.get_data(
        as_text=True
    )
    import re

    chosen = re.findall(r'<input[^>]*name="work_identity"[^>]*>', missing.get_data(as_text=True))
    assert [tag for tag in chosen if "checked" in tag] == [tag for tag in chosen if 'value="2"' in tag]
    record = coordinator.get(f"/da/participants/{woman}").get_data(as_text=True)
    assert translated(app, "da", "Due") in record  # at enrolment, never asked
    first = FACES_ANSWERED | {"asked_on": "2026-10-01"}
    assert post_form(coordinator, f"/da/participants/{woman}/progress", first).status_code == 302
    later = FACES_ANSWERED | {"work_identity": "4", "asked_on": "2027-01-04"}
    assert post_form(coordinator, f"/da/participants/{woman}/progress", later).status_code == 302
    record = coordinator.get(f"/da/participants/{woman}").get_data(as_text=True)
    assert translated(app, "da", "from %(first)s to %(last)s", first=2, last=4) in record
    assert translated(app, "da", "Due") not in record  # next on 4 April 2027
    future = post_form(
        coordinator, f"/da/participants/{woman}/progress", FACES_ANSWERED | {"asked_on": "2027-02-01"}
    )
    assert future.status_code == 400


def test_her_cv_is_printed_in_danish_only_with_her_consent(app, db, staff):
    woman = enrolled(db, staff, "Aisha")
    consultant = client_as(app, "job_consultant")
    cv = {"languages": "Arabisk, lidt dansk", "skills": "Madlavning til mange", "wanted_work": "Køkken"}
    assert post_form(consultant, f"/ar/participants/{woman}/cv", cv).status_code == 302
    refused = consultant.get(f"/ar/participants/{woman}/cv/print")
    assert refused.status_code == 302
    assert post_form(consultant, f"/ar/participants/{woman}/cv", cv | {"consent": "y"}).status_code == 302
    row = db.execute("SELECT consent_on, consent_language FROM cvs").fetchone()
    assert tuple(row) == ("2027-01-13", "ar")
    printed = consultant.get(f"/ar/participants/{woman}/cv/print").get_data(as_text=True)
    assert '<html lang="da" dir="ltr">' in printed and "Madlavning til mange" in printed
    assert translated(app, "da", "Skills") in printed
    too_long = post_form(consultant, f"/ar/participants/{woman}/cv", cv | {"skills": "x" * 1001})
    assert (
        too_long.status_code == 400 and "Madlavning" not in too_long.get_data(as_text=True).split("skills")[0]
    )
    assert "x" * 1001 in too_long.get_data(as_text=True)
    post_form(consultant, f"/ar/participants/{woman}/cv", cv)  # consent taken back
    assert consultant.get(f"/ar/participants/{woman}/cv/print").status_code == 302


def test_her_record_is_corrected_with_the_same_number_rules_and_the_change_is_logged(app, db, staff):
    woman = enrolled(db, staff, "Aisha")
    other = enrolled(db, staff, "Bushra")
    other_phone = db.execute("SELECT phone FROM participants WHERE id = ?", [other]).fetchone()[0]
    coordinator = client_as(app, "coordinator")
    url = f"/da/participants/{woman}/edit"
    form = {
        "first_name": "Aïsha",
        "phone": other_phone,
        "language": "ur",
        "year_of_birth": "1984",
        "coordinator_id": str(staff["coordinator"]),
    }
    taken = post_form(coordinator, url, form)
    assert taken.status_code == 400
    page = taken.get_data(as_text=True)
    assert "Aïsha" in page and "1984" in page
    assert (
        translated(
            app, "da", "Another woman is registered with this number. If they share a phone, leave it empty."
        )
        in page
    )
    bad = post_form(
        coordinator, url, form | {"phone": "12", "first_name": "\u202eAisha", "year_of_birth": "3000"}
    )
    assert bad.status_code == 400
    assert post_form(coordinator, url, form | {"phone": "20 30 40 50"}).status_code == 302
    row = db.execute(
        "SELECT first_name, phone, language, year_of_birth FROM participants WHERE id = ?", [woman]
    )
    assert tuple(row.fetchone()) == ("Aïsha", "+4520304050", "ur", 1984)
    (log,) = db.execute("SELECT record FROM audit_log WHERE action = 'participant.edit'").fetchall()
    assert set(log[0].split()) == {"first_name", "phone", "language", "year_of_birth"}
    assert "Aïsha" not in log[0] and "2030" not in log[0]
    timeline = coordinator.get(f"/da/participants/{woman}/timeline").get_data(as_text=True)
    assert translated(app, "da", "Her record was corrected") in timeline


def test_the_timeline_shows_each_step_of_her_way(app, db, staff):
    woman = signed_up(db, "Hawa", "2027-01-04", "+4520000001")
    coordinator = client_as(app, "coordinator")
    post_form(coordinator, f"/da/participants/{woman}/call", {"outcome": "reached"})
    post_form(coordinator, f"/da/participants/{woman}/enrol", enrolment(staff, enrolled_on="2027-01-05"))
    post_form(coordinator, f"/da/participants/{woman}/contacts", {"kind": "home_visit"})
    step(coordinator, woman, kind="danish_course", started_on="2027-01-06", ended_on="2027-01-12")
    post_form(
        coordinator, f"/da/participants/{woman}/leave", {"left_on": "2027-01-13", "reason": "education"}
    )
    page = coordinator.get(f"/da/participants/{woman}/timeline").get_data(as_text=True)
    for what, detail in [
        ("Left the programme", "Education"),
        ("Contact", "Home visit"),
        ("Call", "Reached her"),
        ("Step done", "Danish course"),
        ("Step started", "Danish course"),
        ("Enrolled in the programme", "Cash benefit, activity-ready"),
        ("Signed up", "Door-to-door"),
    ]:
        line = f"<strong>{translated(app, 'da', what)}</strong>: {translated(app, 'da', detail)}"
        assert line in page, line
    # Newest first, day by day: done on the 12th, started on the 6th, enrolled on the 5th, signed up on the 4th.
    order = [
        translated(app, "da", what) for what in ("Step done", "Step started", "Enrolled in the programme")
    ]
    positions = [page.index(f"<strong>{words}</strong>") for words in order]
    assert positions == sorted(positions) and positions[-1] < page.index(translated(app, "da", "Signed up"))


def test_women_reached_wait_for_their_enrolment_with_the_meeting_booked(app, db, staff):
    soon = signed_up(db, "Hawa", "2027-01-07", "+4520000001")
    later = signed_up(db, "Nour", "2027-01-07", "+4520000002")
    coordinator = client_as(app, "coordinator")
    post_form(
        coordinator,
        f"/da/participants/{later}/call",
        {"outcome": "meeting_booked", "meeting_on": "2027-01-20"},
    )
    post_form(
        coordinator,
        f"/da/participants/{soon}/call",
        {"outcome": "meeting_booked", "meeting_on": "2027-01-15"},
    )
    page = coordinator.get("/da/calls").get_data(as_text=True)
    reached = page[page.index('id="contacted"') : page.index('id="awaiting"')]
    assert reached.index("Hawa") < reached.index("Nour")
    assert f"/da/participants/{soon}/enrol" in reached
    post_form(coordinator, f"/da/participants/{soon}/enrol", enrolment(staff))
    page = coordinator.get("/da/calls").get_data(as_text=True)
    assert "Hawa" not in page[page.index('id="contacted"') : page.index('id="awaiting"')]


def test_the_caseload_stays_light_with_one_contact_form_for_every_woman(app, db, staff):
    for index in range(40):
        enrolled(db, staff, f"Kvinde{index}", contact_days_ago=index % 9)
    html = client_as(app, "coordinator").get("/da/my-women").get_data(as_text=True)
    assert html.count("data-contact-form") == 1 and html.count("data-contact-for=") == 40
    assert len(html.encode()) < 40 * 1200 + 12_000  # about a kilobyte a woman, before compression
    page = client_as(app, "coordinator").get(f"/da/participants/{enrolled(db, staff, 'Aisha')}/contact")
    assert page.status_code == 200 and 'name="item_id" value="' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("signed_up", "today", "working_days"),
    [
        (date(2027, 3, 24), date(2027, 3, 30), 1),  # Easter 2027: Thursday 25 to Monday 29 March are off
        (date(2026, 12, 23), date(2026, 12, 29), 2),  # Christmas Eve, Christmas Day: only 28 and 29 count
        (date(2026, 12, 30), date(2027, 1, 4), 1),  # 31 December and New Year's Day are off
        (date(2027, 5, 5), date(2027, 5, 7), 1),  # Ascension Day, Thursday 6 May
        (date(2023, 5, 4), date(2023, 5, 8), 1),  # Store Bededag, Friday 5 May 2023 (abolished from 2024)
    ],
)
def test_holidays_are_not_working_days(signed_up, today, working_days):
    assert pathway.working_days_between(signed_up, today) == working_days
