"""The outbox as a service: kinds plug in with one registration, transactions nest, every answer is kept,
and no area reaches into another's routes."""

import re
import uuid
from datetime import datetime
from pathlib import Path

import pytest

import clock
import outbox
from blueprints.groups import queries as groups
from db import transaction
from outbox import handles, result

from .conftest import add_group, add_woman, give_card, login

ROOT = Path(__file__).parent.parent
A_WEDNESDAY_MORNING = datetime.fromisoformat("2026-03-04T09:30:00+01:00")


@pytest.fixture(autouse=True)
def fixed_clock():
    with clock.fixed(A_WEDNESDAY_MORNING):
        yield


def send(client, *items):
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    response = client.post("/api/v1/outbox", json={"items": list(items)}, headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def item(kind, data, item_id=None):
    return {"id": item_id or str(uuid.uuid4()), "kind": kind, "recorded_at": clock.now_iso(), "data": data}


@pytest.fixture
def echo_kind():
    """A kind of item registered for one test, as a new area would register its own."""

    @handles("echo")
    def echo(db, entry, user_id):
        return result(entry["id"], "ok", "", said=entry["data"]["say"], by=user_id)

    yield echo
    del outbox._handlers["echo"]


def test_a_new_kind_plugs_in_with_one_registration(app, staff, echo_kind):
    client = app.test_client()
    login(client, "outreach")
    (answer,) = send(client, item("echo", {"say": "hello"}))
    assert (answer["status"], answer["said"], answer["by"]) == ("ok", "hello", staff["outreach"])
    assert "echo" in outbox.kinds()


def test_an_unregistered_kind_is_refused_as_malformed(app, staff):
    client = app.test_client()
    login(client, "outreach")
    (answer,) = send(client, item("echo", {"say": "hello"}))
    assert (answer["status"], answer["reason"], list(answer["errors"])) == ("invalid", "malformed", ["kind"])


def test_a_kind_cannot_get_a_second_handler(echo_kind):
    with pytest.raises(ValueError, match="echo"):

        @handles("echo")
        def another(db, entry, user_id):
            return result(entry["id"], "ok")


def test_each_kind_is_registered_by_its_area(app):
    assert outbox.kinds() == ["checkin", "checkin_undo", "contact", "signup"]
    assert outbox._handlers["contact"].__module__ == "blueprints.casework.contacts"
    assert outbox._handlers["signup"].__module__ == "blueprints.outreach.signups"
    assert outbox._handlers["checkin"].__module__ == "blueprints.checkin.scans"
    assert outbox._handlers["checkin_undo"].__module__ == "blueprints.checkin.scans"


def test_a_transaction_inside_a_transaction_is_a_savepoint(db):
    db.execute("CREATE TABLE notes (text TEXT)")
    with transaction(db):
        db.execute("INSERT INTO notes VALUES ('outer')")
        with pytest.raises(RuntimeError), transaction(db):
            db.execute("INSERT INTO notes VALUES ('inner, undone')")
            raise RuntimeError
        with transaction(db):
            db.execute("INSERT INTO notes VALUES ('inner, kept')")
    assert [row[0] for row in db.execute("SELECT text FROM notes")] == ["outer", "inner, kept"]
    assert not db.conn.in_transaction


def test_a_failing_outer_transaction_undoes_its_inner_ones(db):
    db.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(RuntimeError), transaction(db):
        with transaction(db):
            db.execute("INSERT INTO notes VALUES ('inner')")
        raise RuntimeError
    assert db.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


@pytest.fixture
def session_today(db, staff):
    today = clock.today()
    group_id = add_group(db, staff["facilitator"], today, today, weekdays=tuple(range(7)))
    amina = add_woman(db, "Amina", "+4520123401")
    groups.enrol(db, group_id, amina)
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    return {"group_id": group_id, "session_id": session_id, "amina": amina}


def checkin(session_id, card_code, item_id=None):
    data = {"session_id": session_id, "scanned_at": clock.now_iso(), "card_code": card_code}
    return item("checkin", data, item_id)


def test_a_refused_check_in_is_answered_the_same_when_sent_again(app, db, staff, session_today):
    client = app.test_client()
    login(client, "facilitator")
    scan = checkin(session_today["session_id"], "AMINA-CARD-0000001")
    (first,) = send(client, scan)
    assert (first["status"], first["reason"]) == ("invalid", "card_unknown")
    give_card(db, session_today["amina"], "AMINA-CARD-0000001")  # the card is issued afterwards
    (again,) = send(client, scan)
    assert again == first  # the answer kept, not a new decision
    (new_scan,) = send(client, checkin(session_today["session_id"], "AMINA-CARD-0000001"))
    assert new_scan["status"] == "ok"  # scanning again is a new item, decided anew
    kept = db.execute(
        "SELECT status, reason, session_id, recorded_by FROM checkin_items ORDER BY rowid"
    ).fetchall()
    assert [tuple(row) for row in kept] == [
        ("invalid", "card_unknown", session_today["session_id"], staff["facilitator"]),
        ("ok", "", session_today["session_id"], staff["facilitator"]),
    ]


def test_the_register_shows_refused_scans_with_their_reason(app, db, staff, session_today):
    client = app.test_client()
    login(client, "facilitator")
    send(client, checkin(session_today["session_id"], "NOBODYS-CARD-00001"))
    send(client, checkin(session_today["session_id"], "NOBODYS-CARD-00002"))
    today = clock.today().isoformat()
    page = client.get(f"/da/groups/{session_today['group_id']}/register?from={today}&to={today}")
    html = page.get_data(as_text=True)
    assert "Afviste scanninger" in html
    assert re.search(r"Kortet er ukendt\.\s*\(2\)", html), html[html.find("Afviste") :][:400]


def test_no_area_imports_another_areas_routes_or_the_api():
    offenders = []
    for path in ROOT.glob("blueprints/*/*.py"):
        area = path.parent.name
        for number, line in enumerate(path.read_text().splitlines(), 1):
            imported = re.match(r"from \.\.(\w+)(?:\.(\w+))? import|from blueprints\.(\w+)", line)
            if imported and (imported.group(2) == "routes" or imported.group(1) == "api") and area != "api":
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line}")
    assert offenders == []


def test_no_view_runs_sql():
    views = [*ROOT.glob("blueprints/*/routes.py")]
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in views
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ".execute(" in line
    ]
    assert offenders == []


def test_no_query_function_opens_a_transaction():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("blueprints/*/queries.py")
        if "transaction(" in path.read_text() or "BEGIN" in path.read_text()
    ]
    assert offenders == []
