"""An outreach worker registers women on her phone, offline and online; nothing is lost or doubled."""

from .conftest import PASSWORD, log_in, wait_for_waiting, wait_until
from .test_journeys import catalog_text

WOMEN = [("ar", "أمينة", "20 99 00 01"), ("ur", "رخسانہ", "20 99 00 02"), ("tr", "Ayşe", "20 99 00 03")]


def waiting_on_phone(page):
    return page.get_attribute("[data-outbox]", "data-waiting")


def open_form_kept_offline(page, base, lang="da"):
    page.goto(f"{base}/{lang}/signup")
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.reload()
    wait_until(
        page,
        """caches.open('pages').then(cache => Promise.all(
             ['da', 'tr', 'ur', 'ar'].map(l => cache.match('/' + l + '/signup'))))
           .then(found => found.every(Boolean))""",
    )


def fill_signup(page, first_name, phone_number):
    page.fill("#first_name", first_name)
    page.fill("#phone", phone_number)
    page.select_option("#estate_id", label="Vejleåparken")
    page.check("input[name=subgroup][value=activity_ready]")
    page.check("input[name=interests][value=cooking]")
    page.check("input[name=consent_text_id]")
    page.click("#signup-form button[type=submit]")


def wait_for_participant(server_db, phone, seconds=10):
    """Poll the server's database until the sign-up has arrived (the phone sends it in the background)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = participant(server_db, phone)
        if rows:
            return rows
        time.sleep(0.1)
    return []


def participant(server_db, phone):
    return server_db.execute(
        "SELECT p.id, c.language FROM participants p JOIN consents c ON c.participant_id = p.id WHERE p.phone = ?",
        [phone],
    ).fetchall()


def test_three_women_registered_offline_arrive_once_with_their_consent_language(
    context, page, live_server, server_db
):
    log_in(page, live_server, "outreach")
    open_form_kept_offline(page, live_server)
    context.set_offline(True)
    for count, (lang, first_name, phone_number) in enumerate(WOMEN, start=1):
        page.click(f".her-language a[hreflang={lang}]")
        page.wait_for_url(f"{live_server}/{lang}/signup")
        assert page.get_attribute("html", "lang") == lang
        fill_signup(page, first_name, phone_number)
        wait_for_waiting(page, count)
        assert page.locator("[data-outbox-saved]").is_visible()
        assert page.input_value("#first_name") == ""  # ready for the next door
    page.reload()  # still offline: the page and the outbox are on the phone
    wait_for_waiting(page, 3)
    context.set_offline(False)
    wait_for_waiting(page, 0)
    for lang, _first_name, phone_number in WOMEN:
        rows = participant(server_db, "+45" + phone_number.replace(" ", ""))
        assert [row["language"] for row in rows] == [lang]


def test_what_was_typed_survives_switching_to_her_language(page, live_server):
    log_in(page, live_server, "outreach")
    page.goto(f"{live_server}/da/signup")
    page.fill("#first_name", "Samira")
    page.fill("#phone", "20990010")
    page.click(".her-language a[hreflang=ar]")
    page.wait_for_url(f"{live_server}/ar/signup")
    assert page.input_value("#first_name") == "Samira"
    assert page.input_value("#phone") == "20990010"


PHONE_MESSAGE = (
    "This is not a phone number we can use: a Danish number has 8 digits, "
    "others start with + and the country code."
)


def test_a_phone_number_that_cannot_be_right_is_caught_before_saved(page, live_server, server_db):
    log_in(page, live_server, "outreach", "tr")
    page.goto(f"{live_server}/tr/signup")
    fill_signup(page, "Fatma", "20 99 00 2")  # seven digits: she is still at the door
    assert page.inner_text("#phone-error") == catalog_text("tr", PHONE_MESSAGE)
    assert page.evaluate("document.activeElement.id") == "phone"
    assert not page.locator("[data-outbox-saved]").is_visible()
    assert page.input_value("#first_name") == "Fatma"  # nothing typed is lost
    page.fill("#phone", "20 99 00 21")
    page.click("#signup-form button[type=submit]")
    assert len(wait_for_participant(server_db, "+4520990021")) == 1
    assert not page.locator("#phone-error").is_visible()


def test_a_number_the_server_refuses_comes_back_in_her_language_and_is_corrected(
    page, live_server, server_db
):
    log_in(page, live_server, "outreach")  # the worker reads Danish; the form is in Urdu
    page.goto(f"{live_server}/ur/signup")
    fill_signup(page, "فاطمہ", "+999 1234 5678")  # looks like a number; no country has the code 999
    attention = page.locator("[data-outbox-attention] li")
    attention.wait_for()
    assert attention.locator(".error").inner_text() == catalog_text("ur", PHONE_MESSAGE)
    attention.locator("button").first.click()  # Correct
    assert page.input_value("#first_name") == "فاطمہ"
    assert page.inner_text("#phone-error") == catalog_text("ur", PHONE_MESSAGE)
    page.fill("#phone", "20 99 00 20")
    page.check("input[name=consent_text_id]")
    page.click("#signup-form button[type=submit]")
    assert len(wait_for_participant(server_db, "+4520990020")) == 1
    wait_until(page, "!document.querySelector('[data-outbox-attention] li')")
    wait_for_waiting(page, 0)


def test_an_expired_login_keeps_the_sign_up_until_she_logs_in_again(context, page, live_server, server_db):
    log_in(page, live_server, "outreach")
    open_form_kept_offline(page, live_server)
    context.set_offline(True)
    fill_signup(page, "Nadia", "20 99 00 30")
    wait_for_waiting(page, 1)
    server_db.execute("DELETE FROM staff_sessions")  # the login expired meanwhile
    context.set_offline(False)
    page.locator("[data-outbox-login]").wait_for()
    assert waiting_on_phone(page) == "1"
    page.click("[data-outbox-login] a")
    page.fill("#username", "outreach")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/da/signup")
    assert len(wait_for_participant(server_db, "+4520990030")) == 1
    wait_for_waiting(page, 0)


def test_logging_out_with_unsent_sign_ups_asks_first(page, live_server):
    log_in(page, live_server, "outreach")
    page.goto(f"{live_server}/da/signup")
    fill_signup(page, "Zainab", "+999 1234 5678")  # refused by the server: stays on the phone
    page.locator("[data-outbox-attention] li").wait_for()
    page.goto(f"{live_server}/da/signups/mine")  # her list shows what is still on the phone
    page.locator("[data-outbox-on-phone] li", has_text="Zainab").wait_for()
    logouts = []
    # From the page or through its service worker: every request the phone makes.
    page.context.on("request", lambda request: logouts.append(request) if "/logout" in request.url else None)
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with page.expect_event("dialog"):  # asked once the page has looked into its outbox
        page.click("header button[type=submit]")
    assert len(dialogs) == 1
    assert page.evaluate("window.outbox.items().then(items => items.length)") == 1
    assert logouts == []  # no logout was sent
    assert page.url == f"{live_server}/da/signups/mine"  # she stayed, the item too
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("header button[type=submit]")
    page.wait_for_url(f"{live_server}/da/login")
    assert [request.url for request in logouts] == [f"{live_server}/da/logout"]
    assert (
        page.evaluate("indexedDB.databases().then(list => list.filter(d => d.name === 'outbox').length)") == 0
    )


# Counts the sign-ups the page writes into its outbox (IndexedDB), whichever script writes them.
COUNT_SIGNUP_WRITES = """() => {
    window.signupWrites = 0;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, ...rest) {
        if (value && value.kind === "signup") window.signupWrites += 1;
        return put.call(this, value, ...rest);
    };
}"""


def test_a_double_tap_on_save_registers_her_once(context, page, live_server, server_db):
    log_in(page, live_server, "outreach")
    open_form_kept_offline(page, live_server)
    context.set_offline(True)
    page.fill("#first_name", "Leyla")
    page.fill("#phone", "20 99 00 40")
    page.select_option("#estate_id", label="Vejleåparken")
    page.check("input[name=consent_text_id]")
    page.evaluate(COUNT_SIGNUP_WRITES)
    page.dblclick("#signup-form button[type=submit]")
    wait_for_waiting(page, 1)
    # The second tap came while the first was being saved: the form was saved once, not twice into the
    # same item. A look into the outbox is queued behind any write begun before it, so the count is final.
    assert page.evaluate("window.outbox.items().then(() => window.signupWrites)") == 1
    assert waiting_on_phone(page) == "1"
    context.set_offline(False)
    assert len(wait_for_participant(server_db, "+4520990040")) == 1
    wait_for_waiting(page, 0)
    assert server_db.execute("SELECT count(*) FROM signups WHERE first_name = 'Leyla'").fetchone()[0] == 1


def test_a_colleagues_sign_ups_wait_for_her_own_login(context, page, live_server, server_db):
    log_in(page, live_server, "outreach")
    open_form_kept_offline(page, live_server)
    context.set_offline(True)
    fill_signup(page, "Rania", "20 99 00 50")
    wait_for_waiting(page, 1)
    server_db.execute("DELETE FROM staff_sessions")  # her login expired; a colleague takes the phone
    context.set_offline(False)
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/da/signup")
    page.evaluate("window.outbox.replay()")  # even a send asked for now (and awaited) leaves it alone
    assert waiting_on_phone(page) == "0"
    assert participant(server_db, "+4520990050") == []
    assert ": 1." in page.inner_text("[data-outbox-status]")
    server_db.execute("DELETE FROM staff_sessions")
    log_in(page, live_server, "outreach")
    assert len(wait_for_participant(server_db, "+4520990050")) == 1


def test_my_sign_ups_show_what_waits_offline_and_what_arrived_without_a_reload(context, page, live_server):
    log_in(page, live_server, "outreach")
    wait_until(page, "caches.match('/offline-kit-kept').then(Boolean)")
    context.set_offline(True)
    page.goto(f"{live_server}/da/signup")
    fill_signup(page, "Hibaaq", "20 99 07 03")
    wait_for_waiting(page, 1)
    page.goto(f"{live_server}/da/signups/mine")  # kept at login, never opened
    on_phone = page.locator("[data-outbox-on-phone]")
    on_phone.wait_for()
    assert "Hibaaq" in on_phone.inner_text()
    assert "Hibaaq" not in page.inner_text("[data-outbox-received]")
    context.set_offline(False)
    wait_for_waiting(page, 0)
    wait_until(page, "document.querySelector('[data-outbox-received]').textContent.includes('Hibaaq')")
    assert not on_phone.is_visible()
