"""QR cards: printed 8 to a sheet with the name only on the stub; a new card ends the old one."""

import hashlib
import re
import uuid

import pytest

import clock
from blueprints.groups import queries as groups

from .conftest import add_group, add_woman, csrf_token_from, give_card, login

pytestmark = pytest.mark.usefixtures("fixed_clock")  # today's session is at 10:00, "now" at 09:00


def printed_cards(html):
    """The cards on a printed page (one QR code each)."""
    return re.findall(r'<div class="qr-card-face"><svg', html)


def post(client, url, page, data=None):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def working_cards(db, participant_id):
    return db.execute(
        "SELECT code_hash FROM cards WHERE participant_id = ? AND replaced_at IS NULL", [participant_id]
    ).fetchall()


def test_a_new_card_replaces_her_old_printed_card_and_the_old_one_is_refused(app, db, staff):
    group_id = add_group(db, staff["facilitator"], clock.today(), clock.today(), weekdays=tuple(range(7)))
    amina = add_woman(db, "Amina", "+4520123401")
    groups.enrol(db, group_id, amina)
    give_card(db, amina, "OLD-CARD-OF-AMINA-0001")
    coordinator = app.test_client()
    login(coordinator, "coordinator")
    page = post(coordinator, f"/da/participants/{amina}/card", f"/da/participants/{amina}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and len(printed_cards(html)) == 1
    assert "Amina" in html.split('class="qr-card-stub"')[1]  # the name only on the stub
    (card,) = working_cards(db, amina)
    assert card["code_hash"] != hashlib.sha256(b"OLD-CARD-OF-AMINA-0001").hexdigest()

    facilitator = app.test_client()
    login(facilitator, "facilitator")
    token = facilitator.get("/api/v1/csrf").get_json()["csrf_token"]
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    now = clock.now_iso()
    item = {
        "id": str(uuid.uuid4()),
        "kind": "checkin",
        "recorded_at": now,
        "data": {"session_id": session_id, "card_code": "OLD-CARD-OF-AMINA-0001", "scanned_at": now},
    }
    (answer,) = facilitator.post(
        "/api/v1/outbox", json={"items": [item]}, headers={"X-CSRFToken": token}
    ).get_json()["results"]
    assert (answer["status"], answer["reason"]) == ("invalid", "card_replaced")


def test_a_sheet_of_cards_for_the_women_of_a_group_without_one(app, db, staff):
    group_id = add_group(db, staff["facilitator"])
    women = [add_woman(db, f"Kvinde {n}", f"+45300000{n:02d}") for n in range(10)]
    for woman in women:
        groups.enrol(db, group_id, woman)
    client = app.test_client()
    login(client, "coordinator")
    sheet = post(client, f"/da/groups/{group_id}/cards", f"/da/groups/{group_id}").get_data(as_text=True)
    assert len(printed_cards(sheet)) == 10
    assert all(len(working_cards(db, woman)) == 1 for woman in women)
    again = post(client, f"/da/groups/{group_id}/cards", f"/da/groups/{group_id}")
    assert again.status_code == 302  # everyone has one now
    everyone = post(client, f"/da/groups/{group_id}/cards", f"/da/groups/{group_id}", {"which": "all"})
    assert len(printed_cards(everyone.get_data(as_text=True))) == 10
    assert db.execute("SELECT count(*) FROM cards WHERE replaced_at IS NOT NULL").fetchone()[0] == 10


def test_the_card_holds_an_opaque_code_only(app, db, staff, monkeypatch):
    import secrets

    amina = add_woman(db, "Amina", "+4520123401")
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n=16: "OPAQUE-CODE-1234567890")
    client = app.test_client()
    login(client, "coordinator")
    html = post(client, f"/da/participants/{amina}/card", f"/da/participants/{amina}").get_data(as_text=True)
    from qr import qr_svg

    assert str(qr_svg("OPAQUE-CODE-1234567890")) in html  # the QR code encodes exactly this code
    assert "OPAQUE-CODE-1234567890" not in html.replace(str(qr_svg("OPAQUE-CODE-1234567890")), "")
    assert working_cards(db, amina)[0]["code_hash"] == hashlib.sha256(b"OPAQUE-CODE-1234567890").hexdigest()


def test_a_facilitator_cannot_print_cards(app, db, staff):
    group_id = add_group(db, staff["facilitator"])
    client = app.test_client()
    login(client, "facilitator")
    assert post(client, f"/da/groups/{group_id}/cards", f"/da/groups/{group_id}").status_code == 403
