"""The casework on a phone: a contact made offline in Arabic reaches the server once, and a woman's whole
way from a poster sign-up to an ordinary job, in Danish and in Urdu."""

import pytest

from .conftest import BROWSER_NOW, horizontal_overflow, log_in, new_phone, wait_for_waiting, wait_until
from .test_journeys import catalog_text, page_problems, poster_code

KIT_KEPT = "caches.match('/offline-kit-kept').then(Boolean)"


def contacts_of(server_db, participant_id):
    return server_db.execute(
        "SELECT count(*) FROM contacts WHERE participant_id = ?", [participant_id]
    ).fetchone()[0]


def test_a_contact_made_offline_in_arabic_reaches_the_server_once_after_a_lost_answer(
    browser, live_server, server_db
):
    rukhsana = server_db.execute("SELECT id FROM participants WHERE first_name = 'Rukhsana'").fetchone()["id"]
    before = contacts_of(server_db, rukhsana)
    context = new_phone(browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "coordinator", "ar")
    wait_until(page, KIT_KEPT)  # "My women" is kept at login, never opened online
    context.set_offline(True)
    page.goto(f"{live_server}/ar/my-women")
    assert page.get_attribute("html", "dir") == "rtl"
    card = page.locator(f"[data-woman='{rukhsana}']")
    assert "red" in card.get_attribute("class")  # 9 days since her last contact
    assert "+45" not in page.content()  # first names only on the phone
    card.locator("[data-contact-for]").click()
    card.locator("button[name=kind][value=home_visit]").click()  # two taps
    wait_for_waiting(page, 1)
    assert card.locator("[data-contact-saved]").is_visible()
    assert "red" not in card.get_attribute("class")
    assert horizontal_overflow(page) == 0
    # Back online, the first answer is lost on its way back: stored, but the phone never hears it.
    lost = {"answers": 1}

    def lose_first_answer(route):
        if lost["answers"]:
            lost["answers"] -= 1
            route.fetch()
            route.abort()
        else:
            route.continue_()

    page.route("**/api/v1/outbox", lose_first_answer)
    context.set_offline(False)
    wait_until(page, "document.querySelector('[data-outbox]').dataset.waiting === '0'", timeout=30)
    assert lost["answers"] == 0
    assert contacts_of(server_db, rukhsana) == before + 1
    kinds = server_db.execute(
        "SELECT kind FROM contacts WHERE participant_id = ? ORDER BY rowid DESC LIMIT 1", [rukhsana]
    ).fetchone()
    assert kinds["kind"] == "home_visit"
    context.close()


def sign_up_from_the_poster(browser, base, code, name, phone):
    her_phone = new_phone(browser)
    page = her_phone.new_page()
    page.goto(f"{base}/ar/j/{code}")
    page.fill("#first_name", name)
    page.fill("#phone", phone)
    page.select_option("#estate_id", label="Vejleåparken")
    page.check("input[name=consent_text_id]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/ar/j/{code}/thanks")
    her_phone.close()


def add_step(page, base, lang, woman, kind, company=None, **fields):
    page.goto(f"{base}/{lang}/participants/{woman}")
    page.click("text=" + catalog_text(lang, "Add a step"))
    page.select_option("#kind", kind)
    if company:
        page.select_option("#company_id", label=company)
    for name, value in fields.items():
        if name == "full_time":
            page.check(f"input[name=full_time][value='{value}']")
        else:
            page.fill(f"#{name}", value)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/{lang}/participants/{woman}/steps/*")
    assert page.locator(".notice.error, .has-error").count() == 0, page.inner_text("main")


@pytest.mark.parametrize(
    ("lang", "name", "phone"), [("da", "Ubah", "20 99 12 01"), ("ur", "Nasreen", "20 99 12 02")]
)
def test_a_poster_sign_up_goes_all_the_way_to_an_ordinary_job(
    browser, live_server, live_database, server_db, lang, name, phone
):
    base, today = live_server, BROWSER_NOW.date().isoformat()
    sign_up_from_the_poster(browser, base, poster_code(live_database), name, phone)
    woman = server_db.execute("SELECT id FROM participants WHERE first_name = ?", [name]).fetchone()["id"]
    context = new_phone(browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base, "coordinator", lang)
    # The queue: she waits, and is called.
    page.goto(f"{base}/{lang}/calls")
    card = page.locator(".card", has_text=name)
    card.locator("text=" + catalog_text(lang, "Record the call")).click()
    page.check("input[name=outcome][value=reached]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/{lang}/calls")
    main = page.inner_text("main")
    assert main.index(name) > main.index(catalog_text(lang, "Reached, not enrolled yet"))  # out of the queue
    # Enrolled, with a contact.
    page.goto(f"{base}/{lang}/participants/{woman}")
    page.click("text=" + catalog_text(lang, "Enrol her"))
    page.click("main form button[type=submit]")  # no benefit chosen
    assert page.locator("#benefit-error").is_visible()
    assert page.input_value("#enrolled_on") == today
    page.select_option("#benefit", "activity_ready")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/{lang}/participants/{woman}")
    page.click("button[name=kind][value=meeting]")
    page.wait_for_url(f"{base}/{lang}/participants/{woman}")
    # Her way: a company visit, an internship, a small job with its hours, an ordinary job.
    company = "Netto Ishøj Bycenter"
    add_step(page, base, lang, woman, "company_visit", company, started_on=today, ended_on=today)
    add_step(page, base, lang, woman, "internship", company, started_on=today)
    add_step(page, base, lang, woman, "small_job", company, started_on=today)
    page.fill("#hours", "32")
    page.click("form[action$='/hours#month-hours'] button[type=submit]")
    page.wait_for_url("**#month-hours")
    assert "32" in page.locator("table").inner_text()
    add_step(page, base, lang, woman, "ordinary_job", "Ishøj Plejecenter", started_on=today, full_time="1")
    # She leaves for the ordinary job.
    page.goto(f"{base}/{lang}/participants/{woman}")
    page.click("text=" + catalog_text(lang, "She leaves the programme"))
    page.select_option("#reason", "ordinary_job")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/{lang}/participants/{woman}")
    assert page_problems(page) == []
    page.click("text=" + catalog_text(lang, "Timeline"))
    timeline = page.inner_text("main")
    for kind in ("Company visit", "Internship", "Small job", "Ordinary job"):
        assert catalog_text(lang, kind) in timeline, kind
    for what in ("Signed up", "Call", "Contact", "Enrolled in the programme", "Left the programme"):
        assert catalog_text(lang, what) in timeline, what
    assert catalog_text(lang, "Ordinary job") in timeline
    assert page_problems(page) == []
    stage = server_db.execute("SELECT stage FROM participants WHERE id = ?", [woman]).fetchone()["stage"]
    assert stage == "left"
    context.close()


def test_her_cv_prints_on_one_a4_page_in_danish_whatever_the_staff_language(browser, live_server, server_db):
    from .test_journeys import printed_pages

    fatma = server_db.execute("SELECT id FROM participants WHERE first_name = 'Fatma'").fetchone()["id"]
    context = new_phone(browser)
    page = context.new_page()
    log_in(page, live_server, "jobconsultant", "ar")
    page.goto(f"{live_server}/ar/participants/{fatma}/cv")
    page.click("text=" + catalog_text("ar", "Print for an employer (A4, in Danish)"))
    assert page.get_attribute("html", "lang") == "da" and page.get_attribute("html", "dir") == "ltr"
    assert catalog_text("da", "Skills") in page.inner_text("main") and "Syning" in page.inner_text("main")
    assert page_problems(page) == []
    page.emulate_media(media="print")
    assert printed_pages(page.pdf(format="A4", print_background=True)) == 1
    context.close()
