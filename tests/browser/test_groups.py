"""A coordinator on her phone: a new group with a schedule, a woman enrolled, a session cancelled."""

import re
from datetime import timedelta

import clock

from .conftest import log_in, new_phone
from .test_journeys import catalog_text


def test_a_group_is_made_on_a_phone_with_a_waitlist_and_a_session_cancelled(browser, live_server, server_db):
    context = new_phone(browser)
    page = context.new_page()
    log_in(page, live_server, "coordinator", "tr")
    page.goto(f"{live_server}/tr/groups/new")
    page.fill("#name", "Dil kafesi")
    page.select_option("#activity", "language_cafe")
    page.fill("#place", "Kütüphane, Ishøj")
    page.check("#languages-1")  # Turkish
    page.fill("#capacity", "1")
    page.check("#weekdays-2")  # Wednesday
    first_day = clock.today() + timedelta(days=1)  # the server's today is a Tuesday (BROWSER_NOW)
    page.fill("#first_day", first_day.isoformat())
    page.fill("#last_day", (first_day + timedelta(weeks=4)).isoformat())
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(re.escape(f"{live_server}/tr/groups/") + r"\d+$"))  # the new group's page
    assert page.locator("h1").inner_text() == "Dil kafesi"
    # Wednesday to the Wednesday four weeks on, both days included: five Wednesdays.
    assert page.locator(".cards .card .when").count() == 5

    # Enrol with the search as you type (htmx, fetched when she goes to the field), then a second woman
    # goes on the waitlist.
    assert page.evaluate("typeof window.htmx") == "undefined"
    for name in ("Fatma", "Ayşe"):
        page.fill("#q", name[:3])
        page.wait_for_selector(f"#search-results >> text={name}")
        page.locator("#search-results form button").first.click()
        page.wait_for_load_state()
    members = page.locator("#members ~ .cards").first.inner_text()
    assert "Fatma" in members and "Ayşe" in members
    assert catalog_text("tr", "Waitlist, number %(num)d").replace("%(num)d", "1") in page.content()

    # Cancel the first session with a reason, telling the women on their page only.
    page.locator(".cards .card .when a").first.click()
    page.check("input[name=cancel-phrase][value=leader_ill]")
    page.fill("#cancel-reason", "Hastalık")
    page.select_option("#cancel-notify", "page")
    page.locator("form[action*='/cancel'] button").click()
    page.wait_for_load_state()
    assert catalog_text("tr", "Cancelled") in page.content()
    context.close()

    group_id = server_db.execute("SELECT id FROM groups WHERE name = 'Dil kafesi'").fetchone()["id"]
    cancelled = server_db.execute(
        "SELECT cancel_reason FROM sessions WHERE group_id = ? AND cancelled_at IS NOT NULL", [group_id]
    ).fetchall()
    assert [row["cancel_reason"] for row in cancelled] == ["Hastalık"]
    states = dict(
        server_db.execute(
            "SELECT p.first_name, n.state FROM enrolments n JOIN participants p ON p.id = n.participant_id"
            " WHERE n.group_id = ?",
            [group_id],
        ).fetchall()
    )
    assert states == {"Fatma": "active", "Ayşe": "waitlist"}


def test_a_coordinator_corrects_who_came_to_a_past_session_from_the_register(page, live_server, server_db):
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/da/groups/1/register")
    page.locator("thead a", has_text=catalog_text("da", "Correct")).first.click()
    session_id = int(page.url.split("/sessions/")[1].split("/")[0])
    rukhsana = server_db.execute("SELECT id FROM participants WHERE first_name = 'Rukhsana'").fetchone()["id"]
    came = page.locator(f"input[name=came][value='{rukhsana}']")
    assert came.is_checked()  # the demo's history: she came to the first sessions
    came.uncheck()
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server}/da/groups/1/register")
    assert catalog_text("da", "Attendance saved.") in page.inner_text("main")
    rows = server_db.execute(
        "SELECT count(*) FROM attendance WHERE session_id = ? AND participant_id = ?", [session_id, rukhsana]
    ).fetchone()[0]
    assert rows == 0
