"""Her data protected: withdrawal of consent, erasure that leaves nothing in the file, her access export,
retention, and the schema walk that keeps every new table covered."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

import clock
from blueprints.groups import queries as groups
from blueprints.privacy import erasure
from blueprints.privacy import queries as privacy

from .conftest import add_group, client_as, csrf_token_from, login, post_form, translated
from .test_checkin import checkin_item, send
from .test_outbox import Phone, reference_data, signup_item  # noqa: F401 (reference_data is a fixture)

pytestmark = pytest.mark.usefixtures("fixed_clock")

# The retention and casework rules as the form sends them by default (each test changes what it tests).
RULES = {
    "erasure_grace_days": "30",
    "never_joined_months": "6",
    "set_aside_months": "3",
    "call_tries": "3",
    "caseload_limit": "35",
    "audit_years": "5",
    "left_after_end_months": "12",
}
NAME = "Zuleikhaqx"  # found nowhere else in the file: a byte search for it means something
PHONE = "+4529998877"


@pytest.fixture
def woman(app, db, staff, reference_data):  # noqa: F811
    """A woman made through every path the app has: two sign-ups (the second joined to her record), a
    group, a role, a printed card, a personal link sent by text and opened on her phone, a check-in, a
    reminder, and a coordinator looking at her record."""
    outreach = Phone(client_as(app, "outreach"))
    first = outreach.send([signup_item(db, first_name=NAME, phone=PHONE)]).get_json()["results"][0]
    participant_id = db.execute("SELECT id FROM participants WHERE phone = ?", [PHONE]).fetchone()[0]
    Phone(client_as(app, "coordinator")).send([signup_item(db, first_name=NAME + " B", phone=PHONE)])
    self_signup(app, db, staff, NAME + " C")  # from a poster, with her number: waits for a coordinator
    group_id = add_group(
        db, staff["facilitator"], clock.today(), clock.today() + timedelta(days=14), weekdays=tuple(range(7))
    )
    enrolled = post_form(
        client_as(app, "coordinator"),
        f"/da/groups/{group_id}/members",
        {"participant_id": str(participant_id)},
    )
    assert enrolled.status_code == 302  # the flash that follows is kept in her session's row until shown
    db.execute(
        "INSERT INTO group_role_models (group_id, participant_id) VALUES (?, ?)", [group_id, participant_id]
    )
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]

    coordinator = client_as(app, "coordinator")
    record = f"/da/participants/{participant_id}"
    token = csrf_token_from(coordinator.get(record).get_data(as_text=True))  # she looks at the record
    assert coordinator.post(record + "/card", data={"csrf_token": token}).status_code in (200, 302)
    walking = add_group(db, staff["facilitator"], name="Let motion")
    assert (
        coordinator.post(record + "/offers", data={"csrf_token": token, "group_id": walking}).status_code
        == 302
    )
    assert coordinator.post(record + "/link", data={"csrf_token": token, "send": "sms"}).status_code == 302
    text = Path(app.config["SMS_FILE"]).read_text(encoding="utf-8")
    link = text.strip().splitlines()[-1].split('"text": "')[1].split("/c/")[1].split('"')[0].split()[0]
    phone = app.test_client()
    phone.get(f"/ar/c/{link}")
    assert phone.post(f"/ar/c/{link}", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303

    facilitator = client_as(app, "facilitator")
    (answer,) = send(facilitator, checkin_item(session_id, participant_id=participant_id))
    assert answer["status"] == "ok", answer
    token = csrf_token_from(
        facilitator.get(f"/da/groups/{group_id}/sessions/{session_id}").get_data(as_text=True)
    )
    facilitator.post(
        f"/da/groups/{group_id}/sessions/{session_id}/remind", data={"csrf_token": token, "kind": "reminder"}
    )
    casework(app, db, participant_id)
    return {
        "id": participant_id,
        "group_id": group_id,
        "session_id": session_id,
        "signup_id": first["id"],
        "phone": phone,
    }


def casework(app, db, participant_id):
    """Her way to work: a call, enrolment, a contact with her name in its note, steps with hours, her
    answers on the four aims and her CV."""
    coordinator = client_as(app, "coordinator")
    record = f"/da/participants/{participant_id}"
    assert (
        post_form(
            coordinator, record + "/call", {"outcome": "meeting_booked", "meeting_on": "2027-01-15"}
        ).status_code
        == 302
    )
    enrolment = {
        "enrolled_on": "2027-01-13",
        "coordinator_id": str(db.execute("SELECT id FROM users WHERE role = 'coordinator'").fetchone()[0]),
        "benefit": "activity_ready",
        "action_plan": "not_yet",
    }
    assert post_form(coordinator, record + "/enrol", enrolment).status_code == 302
    contact = {"kind": "home_visit", "note": f"{NAME} asked about Danish courses"}
    assert post_form(coordinator, record + "/contacts", contact).status_code == 302
    company = {"name": "Netto Ishøj", "contact_name": "Jens", "contact_phone": "43123456"}
    assert post_form(coordinator, "/da/companies", company).status_code == 302
    company_id = db.execute("SELECT id FROM companies").fetchone()[0]
    job = {"kind": "small_job", "company_id": str(company_id), "started_on": "2027-01-13"}
    step_url = post_form(coordinator, record + "/steps/new", job).location
    assert post_form(coordinator, step_url + "/hours", {"month": "2027-01", "hours": "12"}).status_code == 302
    answers = {
        "work_identity": "2",
        "society_norms": "3",
        "workplace_expectations": "2",
        "health_barriers": "4",
    }
    assert (
        post_form(coordinator, record + "/progress", answers | {"asked_on": "2027-01-13"}).status_code == 302
    )
    cv = {"skills": f"{NAME} cooks for 40", "consent": "y"}
    assert post_form(coordinator, record + "/cv", cv).status_code == 302


def self_signup(app, db, staff, first_name):
    """A woman signs up from a campaign's poster with her own phone."""
    import re

    from blueprints.outreach import queries as outreach
    from choices import CHANNELS

    estate_id = db.execute("SELECT id FROM estates").fetchone()[0]
    today = clock.today()
    campaign_id = outreach.create_campaign(
        db,
        "Vinter",
        str(today - timedelta(days=3)),
        str(today + timedelta(days=30)),
        [estate_id],
        ["ar"],
        staff["coordinator"],
        CHANNELS,
    )
    code = outreach.poster_codes(db, campaign_id)["poster"]
    her_phone = app.test_client()
    token = re.search(r'name="token" value="([^"]+)"', her_phone.get(f"/ar/j/{code}").get_data(as_text=True))
    consent_id = db.execute("SELECT id FROM consent_texts WHERE language = 'ar'").fetchone()[0]
    form = {
        "token": token.group(1),
        "first_name": first_name,
        "phone": PHONE,
        "estate_id": str(estate_id),
        "consent_text_id": str(consent_id),
    }
    assert her_phone.post(f"/ar/j/{code}", data=form).status_code == 302


def rows_about(db, participant_id):
    """{table: number of rows} that point to her, in every table the schema walk finds."""
    counts = {}
    for table in referencing_tables(db):
        column = "token_hash" if table == "personal_devices" else "participant_id"
        if table in ("personal_devices", "step_hours"):
            sql = f"SELECT count(*) FROM {table} WHERE {privacy.ERASED_TABLES[table].replace(':id', '?')}"
        elif table == "participants":
            sql = "SELECT count(*) FROM participants WHERE id = ?"
        else:
            sql = f"SELECT count(*) FROM {table} WHERE {column} = ?"
        counts[table] = db.execute(sql, [participant_id]).fetchone()[0]
    return counts


def referencing_tables(db):
    """Every table that holds something about one woman: the participants table, tables with a
    `participant_id` column or a foreign key to it, and tables pointing to those by foreign key."""
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    found = {"participants"}
    changed = True
    while changed:
        changed = False
        for name in names:
            if name in found or name.startswith("sqlite_"):
                continue
            columns = {row["name"] for row in db.execute(f"PRAGMA table_info({name})")}
            parents = {row["table"] for row in db.execute(f"PRAGMA foreign_key_list({name})")}
            if "participant_id" in columns or parents & (found - {"consent_texts"}):
                found.add(name)
                changed = True
    return found


# ---- The schema walk --------------------------------------------------------------------------------------


def test_every_table_about_a_woman_is_erased_and_exported(db):
    tables = referencing_tables(db)
    assert {"consents", "signups", "attendance", "personal_devices", "texts_sent"} <= tables  # the walk works
    assert tables == set(privacy.ERASED_TABLES) | privacy.KEPT_BY_ID, (
        "a new table must be erased or kept by id"
    )
    assert tables == set(privacy.EXPORTED_TABLES) | privacy.NOT_EXPORTED, "a new table must be in her export"


# ---- Erasure ----------------------------------------------------------------------------------------------


def test_the_fixture_really_puts_her_everywhere(db, woman):
    counts = rows_about(db, woman["id"])
    empty = {table for table, count in counts.items() if count == 0}
    assert empty == {"erased_participants"}, counts


def file_bytes(app, db):
    """The database file and its write-ahead log, as they are on the disk after a checkpoint."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(app.config["DATABASE"])
    wal = Path(f"{path}-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_erasure_leaves_not_a_byte_of_her_name_or_number_in_the_file(app, db, woman):
    before = file_bytes(app, db)
    assert NAME.encode() in before and PHONE.encode() in before  # the search reads the right file
    admin = client_as(app, "admin")
    response = post_form(admin, f"/da/participants/{woman['id']}/erase", {"confirm": "y"})
    assert response.status_code == 302
    counts = rows_about(db, woman["id"])
    assert {table: count for table, count in counts.items() if count} == {
        "audit_log": counts["audit_log"],
        "erased_participants": 1,
    }
    raw = file_bytes(app, db)
    where = raw.find(NAME.encode())
    assert raw.count(NAME.encode()) == 0, raw[max(where - 300, 0) : where + 100]
    assert raw.count(PHONE.encode()) == 0 and raw.count(PHONE[3:].encode()) == 0


def test_after_erasure_the_programme_keeps_only_numbers(app, db, woman):
    erasure.erase(db, woman["id"], "test")
    tally = db.execute("SELECT * FROM erased_tallies").fetchone()
    assert tally["sessions_attended"] == 1 and tally["groups_joined"] == 1 and tally["language"] == "ar"
    # Her way to work still counts: enrolled in January 2027, a small job at a company, no ordinary job.
    outcome = [
        tally[key] for key in ("status", "enrolled_month", "company_step", "small_job", "ordinary_job")
    ]
    assert outcome == ["enrolled", "2027-01", 1, 1, 0]
    assert tally["age_band"] in ("35-44", "45-54")  # born 1980, signed up in 2027
    assert NAME not in json.dumps(dict(tally)) and PHONE not in json.dumps(dict(tally))
    session = db.execute(
        "SELECT erased_attendance FROM sessions WHERE id = ?", [woman["session_id"]]
    ).fetchone()
    assert session["erased_attendance"] == 1


def test_a_phone_resending_her_sign_up_after_erasure_is_told_gone(app, db, woman):
    erasure.erase(db, woman["id"], "test")
    outreach = Phone(client_as(app, "outreach"))
    item = signup_item(db, first_name=NAME, phone=PHONE)
    item["id"] = woman["signup_id"]
    (answer,) = outreach.send([item]).get_json()["results"]
    assert answer["status"] == "gone"
    assert db.execute("SELECT count(*) FROM participants WHERE phone = ?", [PHONE]).fetchone()[0] == 0


def test_an_erased_womans_id_is_never_given_to_another(app, db, woman):
    erasure.erase(db, woman["id"], "test")
    coordinator = Phone(client_as(app, "coordinator"))
    (answer,) = coordinator.send([signup_item(db, first_name="Ny", phone="+4529990000")]).get_json()[
        "results"
    ]
    assert answer["participant_id"] > woman["id"]


# ---- Withdrawal -------------------------------------------------------------------------------------------


def withdraw(client, participant_id, **fields):
    data = {"withdrawn_on": clock.today().isoformat(), "how": "phone", **fields}
    return post_form(client, f"/da/participants/{participant_id}/withdraw", data)


def test_after_withdrawal_she_is_in_no_list_gets_no_texts_and_her_link_stops(app, db, woman):
    coordinator = client_as(app, "coordinator")
    assert withdraw(coordinator, woman["id"]).status_code == 302
    row = db.execute("SELECT * FROM participants WHERE id = ?", [woman["id"]]).fetchone()
    assert row["withdrawn_how"] == "phone" and row["withdrawn_at"] == clock.today().isoformat()
    assert row["erase_after"][:10] == (clock.now() + timedelta(days=30)).date().isoformat()
    assert db.execute("SELECT withdrawn_at FROM consents WHERE participant_id = ?", [woman["id"]]).fetchone()[
        0
    ]
    assert NAME not in coordinator.get("/da/participants").get_data(as_text=True)
    assert NAME not in coordinator.get(f"/da/participants?q={NAME[:4]}").get_data(as_text=True)
    assert NAME not in coordinator.get(f"/da/groups/{woman['group_id']}").get_data(as_text=True)
    assert NAME not in coordinator.get(f"/da/groups/{woman['group_id']}/register").get_data(as_text=True)
    facilitator = client_as(app, "facilitator")
    roster = facilitator.get("/api/v1/roster").get_data(as_text=True)
    assert NAME not in roster
    assert woman["phone"].get("/ar/c").status_code == 410  # her page on her phone stops
    assert not db.execute(
        "SELECT 1 FROM cards WHERE participant_id = ? AND replaced_at IS NULL", [woman["id"]]
    ).fetchone()
    before = db.execute("SELECT count(*) FROM texts_sent").fetchone()[0]
    token = csrf_token_from(
        facilitator.get(f"/da/groups/{woman['group_id']}/sessions/{woman['session_id']}").get_data(
            as_text=True
        )
    )
    facilitator.post(
        f"/da/groups/{woman['group_id']}/sessions/{woman['session_id']}/remind",
        data={"csrf_token": token, "kind": "reminder"},
    )
    sent_to_her = db.execute(
        "SELECT count(*) FROM texts_sent WHERE participant_id = ? AND rowid > ?", [woman["id"], before]
    ).fetchone()[0]
    assert sent_to_her == 0
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'participant.withdraw'").fetchone()
    assert audit["participant_id"] == woman["id"] and NAME not in audit["record"]


def test_her_record_shows_the_withdrawal_and_when_she_will_be_erased(app, db, woman):
    coordinator = client_as(app, "coordinator")
    withdraw(coordinator, woman["id"])
    page = coordinator.get(f"/da/participants/{woman['id']}").get_data(as_text=True)
    assert "Send her a new link by text" not in page  # nothing to do for her any more
    assert translated(app, "da", "Erase now") not in page  # an administrator's
    admin = client_as(app, "admin")
    page = admin.get(f"/da/participants/{woman['id']}").get_data(as_text=True)
    assert translated(app, "da", "Erase now") in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"how": ""}, "Choose how she said it."),
        ({"withdrawn_on": "2027-13-01"}, "Write a date as year-month-day, e.g. 2026-03-01."),
        ({"withdrawn_on": "2099-01-01"}, "The day cannot be in the future."),
    ],
)
def test_a_withdrawal_with_bad_input_says_why_and_keeps_what_was_typed(app, db, woman, fields, message):
    coordinator = client_as(app, "coordinator")
    response = withdraw(coordinator, woman["id"], **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert translated(app, "da", message) in html
    assert (
        db.execute("SELECT withdrawn_at FROM participants WHERE id = ?", [woman["id"]]).fetchone()[0] is None
    )
    if fields.get("withdrawn_on"):
        assert fields["withdrawn_on"] in html


def test_an_administrator_takes_back_a_mistaken_withdrawal(app, db, woman):
    withdraw(client_as(app, "coordinator"), woman["id"])
    admin = client_as(app, "admin")
    token = csrf_token_from(admin.get(f"/da/participants/{woman['id']}").get_data(as_text=True))
    response = admin.post(f"/da/participants/{woman['id']}/withdrawal/undo", data={"csrf_token": token})
    assert response.status_code == 302
    row = db.execute(
        "SELECT withdrawn_at, erase_after FROM participants WHERE id = ?", [woman["id"]]
    ).fetchone()
    assert tuple(row) == (None, None)
    assert (
        db.execute("SELECT withdrawn_at FROM consents WHERE participant_id = ?", [woman["id"]]).fetchone()[0]
        is None
    )
    assert NAME in admin.get("/da/participants").get_data(as_text=True)


def test_a_coordinator_cannot_erase_at_once_an_administrator_can(app, db, woman):
    withdraw(client_as(app, "coordinator"), woman["id"], erase_now="y")
    assert privacy.participant(db, woman["id"]) is not None  # the box is an administrator's
    admin = client_as(app, "admin")
    assert post_form(admin, f"/da/participants/{woman['id']}/erase", {}).status_code == 400  # not confirmed
    assert privacy.participant(db, woman["id"]) is not None


def test_withdrawal_with_immediate_erasure_by_an_administrator(app, db, woman):
    response = withdraw(client_as(app, "admin"), woman["id"], erase_now="y")
    assert response.status_code == 302 and response.location.endswith("/da/admin/privacy")
    assert privacy.participant(db, woman["id"]) is None and privacy.is_erased(db, woman["id"])


def test_facilitators_and_outreach_workers_cannot_withdraw_or_erase(app, db, woman):
    for role in ("facilitator", "outreach"):
        client = client_as(app, role)
        assert client.get(f"/da/participants/{woman['id']}/withdraw").status_code == 403
        assert client.get(f"/da/participants/{woman['id']}/export").status_code == 403


# ---- Retention --------------------------------------------------------------------------------------------


def test_retention_erases_a_withdrawal_after_its_grace_period_and_not_before(app, db, woman):
    withdraw(client_as(app, "coordinator"), woman["id"])
    assert erasure.due(db)["withdrawn"] == []
    with clock.fixed(clock.now() + timedelta(days=31)):
        found, _rows = erasure.run_retention(db, dry_run=True)
        assert found["withdrawn"] == [woman["id"]]
        assert privacy.participant(db, woman["id"]) is not None  # a dry run erases nothing
        erasure.run_retention(db)
    assert privacy.participant(db, woman["id"]) is None
    assert db.execute("SELECT reason FROM erased_participants").fetchone()[0] == "withdrawn"


def test_retention_erases_women_who_never_joined_after_six_months(app, db, woman):
    from .conftest import add_woman

    lonely = add_woman(db, "Alone", "+4529991111")  # registered 2026-01-01, never in a group
    assert erasure.due(db)["never_joined"] == [lonely]
    db.execute("UPDATE participants SET registered_at = ? WHERE id = ?", [clock.now_iso(), lonely])
    assert erasure.due(db)["never_joined"] == []  # too recent
    with clock.fixed(clock.now() + timedelta(days=200)):
        assert erasure.due(db)["never_joined"] == [lonely]  # woman is in a group: not her


def test_retention_settings_are_checked_and_saved(app, db, staff):
    admin = client_as(app, "admin")
    response = post_form(
        admin,
        "/da/admin/privacy",
        RULES | {"erasure_grace_days": "400"},
    )
    assert response.status_code == 400
    assert translated(app, "da", "Between %(min)s and %(max)s.", min=0, max=90) in response.get_data(
        as_text=True
    )
    response = post_form(
        admin,
        "/da/admin/privacy",
        RULES | {"erasure_grace_days": "0", "never_joined_months": "12"},
    )
    assert response.status_code == 302
    from settings import get

    assert get(db, "erasure_grace_days") == 0 and get(db, "never_joined_months") == 12


def test_audit_rows_go_only_when_older_than_the_audit_retention(app, db, staff):
    db.execute("INSERT INTO audit_log (at, user_id, action) VALUES ('2020-01-01T00:00:00+00:00', 1, 'old')")
    db.execute(
        "INSERT INTO audit_log (at, user_id, action) VALUES ('2026-06-01T00:00:00+00:00', 1, 'recent')"
    )
    _found, deleted = erasure.run_retention(db)
    assert deleted == 1
    actions = [row[0] for row in db.execute("SELECT action FROM audit_log")]
    assert "old" not in actions and "recent" in actions and "retention.run" in actions


# ---- Her access export ------------------------------------------------------------------------------------


def test_her_export_holds_everything_and_who_looked(app, db, woman):
    admin = client_as(app, "admin")
    response = admin.get(f"/da/participants/{woman['id']}/export?format=json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    held = response.get_json()["held"]
    assert set(held) == set(privacy.EXPORTED_TABLES)
    assert held["participants"][0]["first_name"] == NAME and held["participants"][0]["phone"] == PHONE
    assert held["consents"][0]["text"] == "consent in ar" and held["consents"][0]["version"] == 1
    # The poster sign-up with her number waits for a coordinator: it may be another woman's (a shared phone).
    assert len(held["signups"]) == 2 and len(held["attendance"]) == 1 and held["texts_sent"]
    assert held["cards"] and held["personal_links"] and held["personal_devices"]
    assert "participant.view" in {row["action"] for row in held["audit_log"]}
    # Who changed her record through their own rows: who registered her, who checked her in.
    assert {row["staff"] for row in held["signups"]} == {"Outreach", "Coordinator"}
    assert held["attendance"][0]["staff"] == "Facilitator"
    assert (
        db.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'participant.export' AND participant_id = ?",
            [woman["id"]],
        ).fetchone()[0]
        == 1
    )


def test_her_export_reads_in_arabic(app, db, woman):
    admin = client_as(app, "admin")
    html = admin.get(f"/ar/participants/{woman['id']}/export").get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert translated(app, "ar", "Your information") in html
    assert translated(app, "ar", "Meetings you came to") in html
    assert NAME in html and "consent in ar" in html


# ---- The command line -------------------------------------------------------------------------------------


def test_operators_erase_and_export_from_the_command_line(app, db, woman):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["export", str(woman["id"])])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["held"]["participants"][0]["first_name"] == NAME
    result = runner.invoke(args=["export", str(woman["id"]), "--format", "html", "--lang", "ar"])
    assert result.exit_code == 0 and 'dir="rtl"' in result.output
    result = runner.invoke(args=["erase", str(woman["id"])], input="n\n")
    assert result.exit_code != 0 and privacy.participant(db, woman["id"]) is not None
    result = runner.invoke(args=["erase", str(woman["id"]), "--yes", "--reason", "asked by letter"])
    assert result.exit_code == 0, result.output
    assert privacy.participant(db, woman["id"]) is None
    row = db.execute("SELECT user_id, record FROM audit_log WHERE action = 'participant.erase'").fetchone()
    assert row["user_id"] is None and "asked by letter" in row["record"]
    result = runner.invoke(args=["erase", str(woman["id"]), "--yes"])
    assert result.exit_code != 0 and "was erased" in result.output


def test_the_retention_command_lists_before_it_erases(app, db, woman):
    withdraw(client_as(app, "coordinator"), woman["id"])
    runner = app.test_cli_runner()
    with clock.fixed(clock.now() + timedelta(days=31)):
        result = runner.invoke(args=["retention", "--dry-run"])
        assert f"Would erase 1 (withdrawn): {woman['id']}" in result.output
        assert privacy.participant(db, woman["id"]) is not None
        result = runner.invoke(args=["retention"])
        assert f"Erased 1 (withdrawn): {woman['id']}" in result.output
    assert privacy.participant(db, woman["id"]) is None


# ---- Need to know -----------------------------------------------------------------------------------------


def test_a_woman_taken_on_by_one_coordinator_is_hidden_from_another_unless_they_work_as_a_team(
    app, db, staff, woman
):
    from blueprints.auth import accounts

    from .conftest import PASSWORD

    accounts.create_user(db, "lina", "coordinator", PASSWORD, "Lina")
    coordinator = client_as(app, "coordinator")
    record = f"/da/participants/{woman['id']}"
    token = csrf_token_from(coordinator.get(record).get_data(as_text=True))
    assert coordinator.post(record + "/take", data={"csrf_token": token}).status_code == 302
    assert translated(app, "da", "Her coordinator: %(name)s", name="Coordinator") in coordinator.get(
        record
    ).get_data(as_text=True)
    lina = app.test_client()
    assert login(lina, "lina").status_code == 302
    assert lina.get(record).status_code == 403
    assert lina.get(record + "/withdraw").status_code == 403
    assert NAME not in lina.get("/da/participants").get_data(as_text=True)
    assert NAME not in lina.get("/da/follow-up").get_data(as_text=True)
    admin = client_as(app, "admin")
    post_form(
        admin,
        "/da/admin/privacy",
        RULES | {"coordinators_share": "y"},
    )
    assert lina.get(record).status_code == 200


def test_women_who_left_are_erased_the_set_time_after_the_programme_ends(app, db, staff, woman):
    import settings

    groups.leave(db, woman["group_id"], woman["id"])
    assert erasure.due(db)["left"] == []  # no end day set
    admin = client_as(app, "admin")
    form = {"programme_name": "", "funder": "", "programme_starts_on": "", "programme_ends_on": "2026-13-40"}
    form |= {"monthly_public_cost": "20000", "price_per_woman": "0", "pay_per_participant": "0"}
    response = post_form(admin, "/da/programme", form)  # the programme's period is set with the programme
    assert response.status_code == 400 and "2026-13-40" in response.get_data(as_text=True)
    # The clock says 13 January 2027: a programme that ended on 31 December 2025, twelve months on.
    assert post_form(admin, "/da/programme", form | {"programme_ends_on": "2026-01-31"}).status_code == 302
    assert settings.get_date(db, "programme_ends_on").isoformat() == "2026-01-31"
    assert "31. jan. 2026" in admin.get("/da/admin/privacy").get_data(
        as_text=True
    )  # shown where retention is set
    assert erasure.due(db)["left"] == []  # 31 January 2027 is not here yet
    post_form(admin, "/da/programme", form | {"programme_ends_on": "2025-12-31"})
    assert erasure.due(db)["left"] == [woman["id"]]
    post_form(admin, "/da/programme", form | {"programme_ends_on": ""})  # not set again
    assert settings.get_date(db, "programme_ends_on") is None


def test_an_administrator_reads_the_log_of_one_staff_member_or_one_woman_and_downloads_it(
    app, db, staff, woman
):
    admin = client_as(app, "admin")
    page = admin.get(f"/da/admin/privacy?user={staff['coordinator']}").get_data(as_text=True)
    assert "participant.view" in page and f'<option value="{staff["coordinator"]}" selected>' in page
    assert "<bdi>facilitator</bdi>" not in page and "<bdi>coordinator</bdi>" in page  # hers only
    csv_text = admin.get(f"/da/admin/privacy/audit.csv?participant={woman['id']}").get_data(as_text=True)
    assert csv_text.startswith("\ufeff") and "participant.view" in csv_text and NAME not in csv_text


def test_the_register_keeps_counting_a_woman_who_withdrew_or_was_erased_without_naming_her(app, db, woman):
    coordinator = client_as(app, "coordinator")
    url = f"/da/groups/{woman['group_id']}/register"
    before = coordinator.get(url + ".csv").get_data(as_text=True).splitlines()
    assert NAME in "\n".join(before) and before[-1].split(";")[-1] == "1"
    withdraw(coordinator, woman["id"])
    erasure.erase(db, woman["id"], "test")
    after = coordinator.get(url + ".csv").get_data(as_text=True).splitlines()
    assert NAME not in "\n".join(after)
    assert after[-1].split(";")[-1] == "1"  # the total is the same
    assert after[-2].startswith('"' + translated(app, "da", "No longer named"))
    assert translated(app, "da", "No longer named") in coordinator.get(url).get_data(as_text=True)


def test_nothing_more_is_done_for_a_woman_who_withdrew_whatever_an_old_page_offers(app, db, staff, woman):
    coordinator = client_as(app, "coordinator")
    record = f"/da/participants/{woman['id']}"
    token = csrf_token_from(coordinator.get(record).get_data(as_text=True))  # the page before she withdrew
    card_code = "withdrawn-card-0000000001"
    from .conftest import give_card

    give_card(db, woman["id"], card_code)
    withdraw(coordinator, woman["id"])
    for action, data in (
        ("/link", {"send": "sms"}),
        ("/card", {}),
        ("/offers", {"group_id": woman["group_id"]}),
        ("/take", {}),
        ("/call", {"outcome": "reached"}),
        ("/contacts", {"kind": "meeting"}),
        ("/leave", {"left_on": "2027-01-13", "reason": "stopped"}),
        ("/steps/new", {"kind": "danish_course", "started_on": "2027-01-13"}),
        ("/progress", {"asked_on": "2027-01-13"}),
        ("/cv", {"skills": "x"}),
        ("/edit", {"first_name": "Ny"}),
    ):
        assert coordinator.post(record + action, data={"csrf_token": token, **data}).status_code == 409, (
            action
        )
    assert coordinator.get(record + "/dial/tel").status_code == 409
    (contact,) = send(
        coordinator,
        {
            "id": "3f0e7c2a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            "kind": "contact",
            "recorded_at": clock.now_iso(),
            "data": {"participant_id": woman["id"], "kind": "phone", "contacted_at": clock.now_iso()},
        },
    )
    assert (contact["status"], contact["reason"]) == ("invalid", "withdrawn")
    facilitator = client_as(app, "facilitator")
    (by_card,) = send(facilitator, checkin_item(woman["session_id"], card_code=card_code))
    (by_name,) = send(facilitator, checkin_item(woman["session_id"], participant_id=woman["id"]))
    assert (by_card["reason"], by_name["reason"]) == ("card_unknown", "participant_unknown")
    assert (
        db.execute("SELECT count(*) FROM attendance WHERE participant_id = ?", [woman["id"]]).fetchone()[0]
        == 1
    )
    assert NAME not in json.dumps([by_card, by_name])


def test_a_new_sign_up_with_the_number_of_a_woman_who_withdrew_waits_for_a_coordinator(app, db, woman):
    withdraw(client_as(app, "coordinator"), woman["id"])
    coordinator = Phone(client_as(app, "coordinator"))
    (answer,) = coordinator.send([signup_item(db, first_name="Hodan", phone=PHONE)]).get_json()["results"]
    assert answer["reason"] == "awaiting_coordinator"
    consents = db.execute("SELECT count(*) FROM consents WHERE participant_id = ?", [woman["id"]]).fetchone()[
        0
    ]
    assert consents == 2  # her two, withdrawn: nothing was added to her record
    page = coordinator.client.get("/da/campaigns").get_data(as_text=True)
    assert (
        "Hodan" in page
        and translated(app, "da", "The same woman: add to her record") not in page.split("Hodan")[1][:600]
    )


def test_a_waiting_sign_up_is_decided_once(app, db, woman):
    from blueprints.outreach import queries as outreach

    signup = db.execute("SELECT * FROM signups WHERE awaiting = 1").fetchone()
    assert outreach.join_awaiting(db, signup) is True
    assert outreach.join_awaiting(db, signup) is False  # a double tap, or another coordinator
    assert outreach.separate_awaiting(db, signup) is None


def test_a_woman_who_signed_up_again_recently_is_not_erased_as_never_joined(app, db, staff):
    from .conftest import add_woman

    old = add_woman(db, "Gammel", "+4529992222")  # registered 2026-01-01
    db.execute(
        "INSERT INTO consent_texts (version, language, text, text_hash, created_at) VALUES (9, 'da', 't', 'h', '2026')"
    )
    db.execute(
        "INSERT INTO consents (participant_id, consent_text_id, language, given_at) VALUES (?, last_insert_rowid(), 'da', ?)",
        [old, clock.now_iso()],
    )
    assert old not in erasure.due(db)["never_joined"]


def test_a_setting_that_is_not_a_number_says_so_in_her_language(app, db, staff):
    admin = client_as(app, "admin")
    response = post_form(admin, "/ar/admin/privacy", RULES | {"audit_years": "lots"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert translated(app, "ar", "Write a whole number.") in html and 'value="lots"' in html
