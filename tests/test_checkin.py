"""The check-in contract: the roster, and check-in items through the outbox, once however often sent."""

import hashlib
import uuid
from datetime import timedelta

import pytest

import clock
from blueprints.groups import queries as groups

from .conftest import add_group, add_woman, give_card, login, translated

# "Now" is 09:00 on a Wednesday (conftest.NOW): today's session at 10:00 is in the roster whatever the hour.
pytestmark = pytest.mark.usefixtures("fixed_clock")


def now_iso():
    return clock.now_iso()


def checkin_item(session_id, card_code=None, participant_id=None, item_id=None):
    data = {"session_id": session_id, "scanned_at": now_iso()}
    if card_code:
        data["card_code"] = card_code
    if participant_id:
        data["participant_id"] = participant_id
    return {"id": item_id or str(uuid.uuid4()), "kind": "checkin", "recorded_at": now_iso(), "data": data}


def send(client, *items):
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    response = client.post("/api/v1/outbox", json={"items": list(items)}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


@pytest.fixture
def today_session(db, staff):
    """A session of the facilitator's group today, with Amina (card AMINA-CARD-0000001) enrolled."""
    group_id = add_group(db, staff["facilitator"], clock.today(), clock.today(), weekdays=tuple(range(7)))
    amina = add_woman(db, "Amina", "+4520123401")
    groups.enrol(db, group_id, amina)
    give_card(db, amina, "AMINA-CARD-0000001")
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    return {"group_id": group_id, "session_id": session_id, "amina": amina}


@pytest.fixture
def facilitator(app, staff):
    client = app.test_client()
    login(client, "facilitator")
    return client


def attendance_rows(db, session_id):
    return db.execute("SELECT * FROM attendance WHERE session_id = ?", [session_id]).fetchall()


def test_the_roster_holds_her_sessions_with_first_names_and_card_hashes_only(facilitator, db, today_session):
    give_card(db, today_session["amina"], "AMINA-OLD-CARD-000001", replaced=True)
    body = facilitator.get("/api/v1/roster").get_json()
    assert set(body) == {"days", "sessions"} and body["days"] == 7
    (session,) = body["sessions"]
    card = hashlib.sha256(b"AMINA-CARD-0000001").hexdigest()
    # Exactly these fields, nothing more (README, "GET /api/v1/roster"); "checked_in_ids" lets a phone mark
    # who another phone checked in, "cancelled_at" repeats "cancelled" (neither is in the README's list).
    assert session == {
        "id": today_session["session_id"],
        "group_id": today_session["group_id"],
        "group_name": "Madklubben",
        "activity": "cooking",
        "starts_at": "2027-01-13T09:00:00+00:00",  # 10:00 in Copenhagen
        "ends_at": "2027-01-13T11:00:00+00:00",
        "place": "Beboerhuset",
        "cancelled": False,
        "cancelled_at": None,
        "checked_in": 0,
        "checked_in_ids": [],
        "roster": [
            {
                "participant_id": today_session["amina"],
                "first_name": "Amina",
                "code_hash": card,
                "code_hashes": [card],  # her working cards only: the replaced one is not here
            }
        ],
    }
    text = facilitator.get("/api/v1/roster").get_data(as_text=True)
    assert "+4520123401" not in text and "AMINA-CARD-0000001" not in text


def test_a_scan_checks_her_in_and_a_second_scan_records_nothing_new(facilitator, db, today_session):
    (first,) = send(facilitator, checkin_item(today_session["session_id"], "AMINA-CARD-0000001"))
    assert (first["status"], first["reason"], first["first_name"]) == ("ok", "", "Amina")
    (second,) = send(facilitator, checkin_item(today_session["session_id"], "AMINA-CARD-0000001"))
    assert (second["status"], second["reason"]) == ("duplicate", "already_checked_in")
    assert len(attendance_rows(db, today_session["session_id"])) == 1
    roster = facilitator.get("/api/v1/roster").get_json()["sessions"]
    assert next(s for s in roster if s["id"] == today_session["session_id"])["checked_in"] == 1


def test_the_same_item_sent_again_gets_the_same_answer_and_other_content_a_conflict(
    facilitator, db, today_session
):
    item = checkin_item(today_session["session_id"], "AMINA-CARD-0000001")
    assert send(facilitator, item)[0]["status"] == "ok"
    assert send(facilitator, item)[0]["status"] == "duplicate"
    changed = item | {"data": item["data"] | {"scanned_at": (clock.now() - timedelta(minutes=5)).isoformat()}}
    assert send(facilitator, changed)[0]["status"] == "conflict"
    assert len(attendance_rows(db, today_session["session_id"])) == 1


@pytest.mark.parametrize(
    ("code", "reason"),
    [("NOBODY-HAS-THIS-CARD-1", "card_unknown"), ("OLD-CARD-OF-AMINA-0001", "card_replaced")],
)
def test_an_unknown_or_replaced_card_is_refused_with_a_reason(facilitator, db, today_session, code, reason):
    give_card(db, today_session["amina"], "OLD-CARD-OF-AMINA-0001", replaced=True)
    (answer,) = send(facilitator, checkin_item(today_session["session_id"], code))
    assert (answer["status"], answer["reason"]) == ("invalid", reason)
    assert answer["errors"]["card_code"]
    assert attendance_rows(db, today_session["session_id"]) == []


def test_a_facilitator_cannot_check_in_to_another_facilitators_session(app, db, staff, today_session):
    from blueprints.auth.accounts import create_user

    create_user(db, "other", "facilitator", "correct horse battery", "Other")
    client = app.test_client()
    login(client, "other")
    (answer,) = send(client, checkin_item(today_session["session_id"], "AMINA-CARD-0000001"))
    assert (answer["status"], answer["reason"]) == ("invalid", "session_not_yours")
    assert attendance_rows(db, today_session["session_id"]) == []
    assert [s for s in client.get("/api/v1/roster").get_json()["sessions"]] == []


def test_a_cancelled_session_takes_no_check_ins(facilitator, db, today_session):
    groups.cancel_session(db, today_session["session_id"], "Sygdom")
    (answer,) = send(facilitator, checkin_item(today_session["session_id"], "AMINA-CARD-0000001"))
    assert (answer["status"], answer["reason"]) == ("invalid", "session_cancelled")


def test_a_woman_not_enrolled_is_checked_in_and_marked(facilitator, db, today_session):
    samira = add_woman(db, "Samira", "+4520123404")
    give_card(db, samira, "SAMIRA-CARD-000000001")
    (answer,) = send(facilitator, checkin_item(today_session["session_id"], "SAMIRA-CARD-000000001"))
    assert (answer["status"], answer["reason"], answer["enrolled"]) == ("ok", "not_enrolled", False)
    assert attendance_rows(db, today_session["session_id"])[0]["enrolled"] == 0


def test_a_woman_without_her_card_is_checked_in_from_the_list(facilitator, db, today_session):
    (answer,) = send(
        facilitator, checkin_item(today_session["session_id"], participant_id=today_session["amina"])
    )
    assert answer["status"] == "ok"
    assert attendance_rows(db, today_session["session_id"])[0]["method"] == "manual"


CHOOSE_A_SESSION = ("session_id", "Choose a session.")
NO_TIME = ("scanned_at", "This item has no valid time.")
NO_CARD = ("card_code", "Scan a card or choose a name.")
UNREADABLE = ("card_code", "This card code cannot be read. Scan the card again.")


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, [CHOOSE_A_SESSION, NO_CARD, NO_TIME]),
        (
            {"session_id": "abc", "card_code": "AMINA-CARD-0000001", "scanned_at": "now"},
            [CHOOSE_A_SESSION, NO_TIME],
        ),
        ({"session_id": 2**70, "card_code": "x" * 10_000}, [CHOOSE_A_SESSION, UNREADABLE, NO_TIME]),
        (
            {"session_id": [1], "card_code": {"a": 1}, "scanned_at": None},
            [CHOOSE_A_SESSION, NO_CARD, NO_TIME],
        ),
        (
            {"session_id": 1, "card_code": "\x00" * 20, "scanned_at": "2026-01-01T10:00:00"},
            [UNREADABLE, NO_TIME],
        ),
    ],
)
def test_bad_check_in_fields_are_named_never_a_500(app, db, facilitator, today_session, data, errors):
    item = {"id": str(uuid.uuid4()), "kind": "checkin", "recorded_at": now_iso(), "data": data}
    (answer,) = send(facilitator, item)
    assert (answer["status"], answer["reason"]) == ("invalid", "field_errors")
    assert answer["errors"] == {field: translated(app, "da", message) for field, message in errors}
    assert db.execute("SELECT count(*) FROM attendance").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM checkin_items").fetchone()[0] == 0  # nothing to answer again


def test_two_hundred_check_ins_from_four_phones_each_sent_twice_make_two_hundred_rows(app, db, staff):
    from .test_concurrency import in_parallel

    group_id = add_group(
        db, staff["facilitator"], clock.today(), clock.today(), weekdays=tuple(range(7)), capacity=200
    )
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    codes = []
    for index in range(200):
        woman = add_woman(db, f"W{index}", f"+4521{index:06d}")
        groups.enrol(db, group_id, woman)
        codes.append(f"CARD-{index:04d}-ABCDEFGHIJ")
        give_card(db, woman, codes[-1])
    # Four phones each scanned every woman (as if all four stood at the door), each sends its batch twice.
    batches = [[checkin_item(session_id, code) for code in codes] for _phone in range(4)]
    clients = []
    for _phone in range(4):
        client = app.test_client()
        login(client, "facilitator")
        clients.append(client)

    def phone(index):
        return send(clients[index], *batches[index]) + send(clients[index], *batches[index])

    answers = in_parallel(phone, 4)
    statuses = [answer["status"] for per_phone in answers for answer in per_phone]
    assert len(statuses) == 1600 and set(statuses) <= {"ok", "duplicate"}
    assert statuses.count("ok") == 200
    assert len(attendance_rows(db, session_id)) == 200


def test_a_lost_answer_resent_still_says_not_enrolled(facilitator, db, today_session):
    samira = add_woman(db, "Samira", "+4520123404")
    give_card(db, samira, "SAMIRA-CARD-000000001")
    item = checkin_item(today_session["session_id"], "SAMIRA-CARD-000000001")
    assert send(facilitator, item)[0]["reason"] == "not_enrolled"
    (again,) = send(facilitator, item)
    assert (again["status"], again["reason"], again["first_status"]) == ("duplicate", "not_enrolled", "ok")


def test_a_facilitator_checks_in_by_name_only_women_of_the_group(facilitator, db, today_session):
    stranger = add_woman(db, "Fremmed", "+4520123499")
    (answer,) = send(facilitator, checkin_item(today_session["session_id"], participant_id=stranger))
    assert (answer["status"], answer["reason"]) == ("invalid", "participant_not_in_group")
    assert attendance_rows(db, today_session["session_id"]) == []


def test_a_database_file_replaced_under_the_same_name_is_opened_again(app, client, staff):
    import demo

    from .conftest import login

    assert login(client, "coordinator").status_code == 302  # this thread now keeps a connection
    demo.rebuild(app.config["DATABASE"], "demo password 1")
    fresh = app.test_client()
    assert login(fresh, "facilitator", password="demo password 1").status_code == 302


def undo_item(undoes, item_id=None):
    return {
        "id": item_id or str(uuid.uuid4()),
        "kind": "checkin_undo",
        "recorded_at": now_iso(),
        "data": {"undoes": undoes},
    }


def test_a_wrong_tap_undone_leaves_no_attendance_and_a_resend_changes_nothing(facilitator, db, today_session):
    tap = checkin_item(today_session["session_id"], participant_id=today_session["amina"])
    send(facilitator, tap)
    undo = undo_item(tap["id"])
    (answer,) = send(facilitator, undo)
    assert (answer["status"], answer["reason"]) == ("ok", "undone")
    assert attendance_rows(db, today_session["session_id"]) == []
    # Both answers lost on the way back and sent again: she stays not checked in, nothing is doubled.
    answers = send(facilitator, tap, undo)
    assert [a["status"] for a in answers] == ["duplicate", "duplicate"]
    assert attendance_rows(db, today_session["session_id"]) == []
    # Checked in again afterwards (she did come after all): a new tap counts.
    (again,) = send(
        facilitator, checkin_item(today_session["session_id"], participant_id=today_session["amina"])
    )
    assert again["status"] == "ok" and len(attendance_rows(db, today_session["session_id"])) == 1


def test_an_undo_that_arrives_before_its_check_in_keeps_the_check_in_out(facilitator, db, today_session):
    tap = checkin_item(today_session["session_id"], participant_id=today_session["amina"])
    (undone,) = send(facilitator, undo_item(tap["id"]))
    assert (undone["status"], undone["reason"]) == ("ok", "nothing_to_undo")
    (late,) = send(facilitator, tap)
    assert (late["status"], late["reason"]) == ("duplicate", "undone")  # leaves the phone, stores nothing
    assert attendance_rows(db, today_session["session_id"]) == []


def test_only_who_checked_her_in_can_undo_it(app, db, staff, facilitator, today_session):
    tap = checkin_item(today_session["session_id"], participant_id=today_session["amina"])
    send(facilitator, tap)
    coordinator = app.test_client()
    login(coordinator, "coordinator")
    (answer,) = send(coordinator, undo_item(tap["id"]))
    assert (answer["status"], answer["reason"]) == ("invalid", "not_yours")
    assert len(attendance_rows(db, today_session["session_id"])) == 1


@pytest.mark.parametrize("data", [{}, {"undoes": ""}, {"undoes": "x" * 65}, {"undoes": 5}])
def test_a_damaged_undo_is_refused_by_name(facilitator, db, today_session, data):
    item = {"id": str(uuid.uuid4()), "kind": "checkin_undo", "recorded_at": now_iso(), "data": data}
    (answer,) = send(facilitator, item)
    assert answer["status"] == "invalid" and set(answer["errors"]) == {"undoes"}
