"""Her data protection on a phone: a coordinator records a withdrawal in Danish; an administrator prints a
woman's access export in Arabic."""

from .conftest import log_in, new_phone
from .test_journeys import catalog_text, page_problems


def test_a_coordinator_records_a_withdrawal_on_a_phone_and_she_leaves_every_list(
    browser, live_server, server_db
):
    meryem = server_db.execute("SELECT id FROM participants WHERE first_name = 'Meryem'").fetchone()["id"]
    context = new_phone(browser)
    page = context.new_page()
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/da/participants/{meryem}")
    page.click("text=" + catalog_text("da", "She withdraws her consent"))
    page.wait_for_url(f"{live_server}/da/participants/{meryem}/withdraw")
    assert page.input_value("#withdrawn_on")  # today, ready
    page.click("main button[type=submit]")  # how she said it is missing
    assert page.locator("#how-error").inner_text() == catalog_text("da", "Choose how she said it.")
    assert page.input_value("#withdrawn_on")  # what was there stays
    page.select_option("#how", "phone")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/da/participants/{meryem}")
    notice = page.locator(".notice.error").inner_text()
    assert (
        catalog_text(
            "da",
            "She withdrew her consent on %(day)s. She is in no list or group and gets no texts. Everything about her is erased on %(erase)s.",
        ).split("%(day)s")[0]
        in notice
    )
    assert not page.locator("text=" + catalog_text("da", "Send her a new link by text")).count()
    page.goto(f"{live_server}/da/participants")
    assert "Meryem" not in page.inner_text("main")
    assert page_problems(page) == []
    row = server_db.execute(
        "SELECT withdrawn_how, erase_after FROM participants WHERE id = ?", [meryem]
    ).fetchone()
    assert row["withdrawn_how"] == "phone" and row["erase_after"]
    context.close()


def test_an_administrator_prints_a_womans_access_export_in_arabic(browser, live_server, server_db):
    amina = server_db.execute("SELECT id FROM participants WHERE first_name = 'Amina'").fetchone()["id"]
    context = new_phone(browser)
    page = context.new_page()
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/da/participants/{amina}")
    page.click("text=" + catalog_text("da", "Everything held about her (in her language)"))
    page.wait_for_url(f"{live_server}/ar/participants/{amina}/export")
    assert page.get_attribute("html", "dir") == "rtl"
    main = page.inner_text("main")
    for heading in (
        "Your information",
        "Groups",
        "Meetings you came to",
        "Consents you gave",
        "Who on the staff looked at or changed your information",
    ):
        assert catalog_text("ar", heading) in main, heading
    assert "Amina" in main and "Madklubben" in main
    problems = page_problems(page)
    assert problems == [], problems
    printed = page.pdf(format="A4")
    assert printed.startswith(b"%PDF")
    logged = server_db.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'participant.export' AND participant_id = ?", [amina]
    ).fetchone()[0]
    assert logged >= 1
    context.close()
