"""The phone's outbox client (static/js/outbox.js): how it sends, retries, keeps its token and asks at logout."""

import gettext
import json
import time
from pathlib import Path

import pytest

from .conftest import PHONE, log_in, wait_for_waiting, wait_until

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"
RETRY_AT = "It will try again at %(time)s. Your items are safe on this phone."

# Every fetch the page makes, with the page's own clock (Playwright's fake one when installed).
RECORD_FETCHES = """
window.__fetches = [];
const pageFetch = window.fetch;
window.fetch = function (resource) {
  const url = typeof resource === "string" ? resource : resource.url;
  const entry = { path: new URL(url, location.href).pathname, at: Date.now(), settled: false };
  window.__fetches.push(entry);
  const answer = pageFetch.apply(this, arguments);
  answer.then(() => { entry.settled = true; }, () => { entry.settled = true; });
  return answer;
};
"""

# Every IndexedDB transaction the page opens, with its mode and durability.
RECORD_TRANSACTIONS = """
window.__transactions = [];
const openTransaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (stores, mode, options) {
  window.__transactions.push({ mode: mode || "readonly", durability: (options && options.durability) || null });
  return openTransaction.apply(this, arguments);
};
"""


@pytest.fixture
def context(browser):
    """A phone without the service worker: it never handles the API, and routes are then certain to apply."""
    context = browser.new_context(**PHONE, service_workers="block")
    yield context
    context.close()


def catalog(lang="da"):
    return gettext.translation("messages", TRANSLATIONS, languages=[lang])


def counted(singular, plural, n, lang="da"):
    return catalog(lang).ngettext(singular, plural, n) % {"num": n}


def fill_signup(page, first_name, phone_number):
    page.fill("#first_name", first_name)
    page.fill("#phone", phone_number)
    page.select_option("#estate_id", label="Vejleåparken")
    page.check("input[name=subgroup][value=activity_ready]")
    page.check("input[name=consent_text_id]")
    page.click("#signup-form button[type=submit]")


def fetches(page, path):
    return page.evaluate("p => window.__fetches.filter(f => f.path === p)", path)


def wait_for(page, condition, seconds=10):
    """Poll from here; waiting in the page lets Playwright answer the routed requests meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("not true in time")


def arrived(server_db, phone):
    return server_db.execute("SELECT count(*) FROM participants WHERE phone = ?", [phone]).fetchone()[0]


def answer_500_then_pass(page, failures):
    """Answer the first `failures` sends with a server error, then let them through; return the count left."""
    left = {"failures": failures}

    def outbox(route):
        if left["failures"]:
            left["failures"] -= 1
            route.fulfill(status=500, content_type="text/html", body="<h1>Server error</h1>")
        else:
            route.continue_()

    page.route("**/api/v1/outbox", outbox)
    return left


def stop_the_clock(page):
    """Install Playwright's clock in the page, stopped: timers fire only when the test moves it."""
    page.clock.install()
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 2)  # seconds, a little ahead of the page


def move_clock_until_sent(page, sends, seconds=60):
    """Move the phone's clock a second at a time until it has tried `sends` sends."""
    for _second in range(seconds):
        if len(fetches(page, "/api/v1/outbox")) >= sends:
            return
        # The phone sets its next try when an answer has come: a slow answer must not look like a longer wait.
        # A send under way is answered and its next try planned before the clock moves on (the page says so;
        # a fixed pause was a guess that a loaded machine lost).
        wait_for(page, lambda: not sending(page))
        page.clock.fast_forward(1000)
        page.wait_for_timeout(250)  # a try the move made due starts (then the loop waits for its answer)
    raise AssertionError(f"fewer than {sends} sends in {seconds} s: {page.evaluate('window.__fetches')}")


def sending(page):
    return page.evaluate("document.querySelector('[data-outbox]').dataset.sending === '1'")


def waits_between_sends(page):
    """Return the phone-clock milliseconds between its sends, rounded down to the test's one-second steps."""
    sent = [fetch["at"] for fetch in fetches(page, "/api/v1/outbox")]
    return [(later - earlier) // 1000 * 1000 for earlier, later in zip(sent, sent[1:], strict=False)]


def failed_times(n):
    return counted("Sending failed %(num)d time.", "Sending failed %(num)d times.", n)


def test_a_failing_server_is_tried_less_and_less_often_and_she_is_told(page, live_server, server_db):
    log_in(page, live_server, "outreach")
    page.add_init_script(RECORD_FETCHES)
    stop_the_clock(page)
    errors_left = answer_500_then_pass(page, failures=3)
    page.goto(f"{live_server}/da/signup")
    fill_signup(page, "Hibo", "20 98 00 01")
    status = page.locator("[data-outbox-status]")
    move_clock_until_sent(page, 2)
    page.wait_for_timeout(300)
    assert failed_times(2) not in status.inner_text()  # two failures: nothing to tell yet
    move_clock_until_sent(page, 3)
    wait_for(page, lambda: failed_times(3) in status.inner_text())
    before_time, after_time = catalog().gettext(RETRY_AT).split("%(time)s")
    assert before_time in status.inner_text() and after_time in status.inner_text()
    move_clock_until_sent(page, 4)
    assert waits_between_sends(page) == [5000, 10000, 20000]
    wait_for_waiting(page, 0)
    assert arrived(server_db, "+4520980001") == 1
    assert page.evaluate("window.outbox.items().then(items => items.length)") == 0
    assert failed_times(3) not in status.inner_text()
    # A success starts the waits over: the next failure is tried again after 5 s.
    errors_left["failures"] = 1
    fill_signup(page, "Hodan", "20 98 00 02")
    move_clock_until_sent(page, 6)
    assert waits_between_sends(page)[-1] == 5000
    wait_for(page, lambda: arrived(server_db, "+4520980002") == 1)


def test_a_new_network_sends_at_once_and_starts_the_waits_over(page, live_server):
    log_in(page, live_server, "outreach")
    page.add_init_script(RECORD_FETCHES)
    stop_the_clock(page)
    answer_500_then_pass(page, failures=100)
    page.goto(f"{live_server}/da/signup")
    fill_signup(page, "Ifrah", "20 98 00 08")
    move_clock_until_sent(page, 3)
    wait_for(page, lambda: failed_times(3) in page.inner_text("[data-outbox-status]"))
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(page, lambda: len(fetches(page, "/api/v1/outbox")) == 4)  # at once: the clock has not moved
    move_clock_until_sent(page, 5)
    assert waits_between_sends(page) == [5000, 10000, 0, 5000]
    page.wait_for_timeout(300)
    before_time = catalog().gettext(RETRY_AT).split("%(time)s")[0]
    assert before_time not in page.inner_text("[data-outbox-status]")  # two failures since: nothing to tell


def test_one_send_is_one_request_the_token_is_kept_for_the_page(page, live_server, server_db):
    log_in(page, live_server, "outreach")
    page.add_init_script(RECORD_FETCHES)
    page.goto(f"{live_server}/da/signup")
    fill_signup(page, "Idil", "20 98 00 03")
    wait_for(page, lambda: arrived(server_db, "+4520980003") == 1)
    wait_for_waiting(page, 0)
    fill_signup(page, "Jamila", "20 98 00 04")
    wait_for(page, lambda: arrived(server_db, "+4520980004") == 1)
    wait_for_waiting(page, 0)
    assert len(fetches(page, "/api/v1/outbox")) == 2
    assert len(fetches(page, "/api/v1/csrf")) <= 1


def test_a_refused_token_is_fetched_again_and_the_items_sent_again_at_once(page, live_server, server_db):
    log_in(page, live_server, "outreach")
    page.add_init_script(RECORD_FETCHES)
    stop_the_clock(page)  # no timer can send again: only the answer to the refusal can
    refused = []

    def outbox(route):
        if not refused:
            refused.append(route.request.url)
            route.fulfill(status=400, json={"error": "csrf", "message": "Log in again to send."})
        else:
            route.continue_()

    page.route("**/api/v1/outbox", outbox)
    page.goto(f"{live_server}/da/signup")
    fill_signup(page, "Kawsar", "20 98 00 05")
    wait_for(page, lambda: arrived(server_db, "+4520980005") == 1)
    wait_for_waiting(page, 0)
    assert len(fetches(page, "/api/v1/outbox")) == 2
    assert len(fetches(page, "/api/v1/csrf")) == 2


def test_a_token_refused_twice_is_not_fetched_again_and_again(page, live_server):
    log_in(page, live_server, "outreach")
    page.add_init_script(RECORD_FETCHES)
    stop_the_clock(page)
    page.route(
        "**/api/v1/outbox",
        lambda route: route.fulfill(status=400, json={"error": "csrf", "message": "Log in again to send."}),
    )
    page.goto(f"{live_server}/da/signup")
    fill_signup(page, "Layla", "20 98 00 06")
    wait_for(page, lambda: len(fetches(page, "/api/v1/outbox")) == 2)
    page.wait_for_timeout(500)
    assert len(fetches(page, "/api/v1/outbox")) == 2
    assert len(fetches(page, "/api/v1/csrf")) == 2
    assert page.get_attribute("[data-outbox]", "data-waiting") == "1"  # still on the phone


def queue(page, items):
    """Save items in the page's outbox as the form and the scanner do."""
    wait_until(page, "Boolean(window.outbox)")
    page.evaluate("items => Promise.all(items.map(item => window.outbox.add(item)))", items)


def colleague_items():
    signup = {
        "id": "11111111-1111-4111-8111-111111111111",
        "kind": "signup",
        "data": {"first_name": "Maryam"},
    }
    checkins = [
        {
            "id": f"2222222{n}-2222-4222-8222-222222222222",
            "kind": "checkin",
            "label": "Nour",
            "data": {"session_id": 1, "scanned_at": "2026-12-01T10:00:00+01:00", "card_code": f"code-{n}"},
        }
        for n in (1, 2)
    ]
    return [signup, *checkins]


def test_logging_out_names_the_colleague_and_what_of_hers_waits(context, page, live_server):
    log_in(page, live_server, "outreach")
    page.route("**/api/v1/**", lambda route: route.abort())  # no network: her items stay on the phone
    page.goto(f"{live_server}/da/")
    queue(page, colleague_items())
    context.clear_cookies()  # her login is gone; a colleague takes the phone
    page.unroute("**/api/v1/**")
    log_in(page, live_server, "coordinator")
    wait_until(page, "Boolean(window.outbox)")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("header form.logout button[type=submit]")
    wait_for(page, lambda: dialogs)
    message = dialogs[0]
    assert "outreach" in message
    assert counted("%(num)d sign-up", "%(num)d sign-ups", 1) in message
    assert counted("%(num)d check-in", "%(num)d check-ins", 2) in message
    assert catalog().gettext("Saved by you and not sent: %(what)s.").split("%(what)s")[0] not in message
    page.wait_for_timeout(300)
    assert page.url == f"{live_server}/da/"  # she stayed, and so did the items
    assert page.evaluate("window.outbox.items().then(items => items.length)") == 3


def test_logging_out_with_her_own_items_says_how_many_of_each(page, live_server):
    log_in(page, live_server, "outreach")
    page.route("**/api/v1/**", lambda route: route.abort())
    page.goto(f"{live_server}/da/")
    queue(page, colleague_items())
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("header form.logout button[type=submit]")
    wait_for(page, lambda: dialogs)
    own = catalog().gettext("Saved by you and not sent: %(what)s.").split("%(what)s")[0]
    assert own in dialogs[0]
    assert counted("%(num)d sign-up", "%(num)d sign-ups", 1) in dialogs[0]
    assert counted("%(num)d check-in", "%(num)d check-ins", 2) in dialogs[0]


def test_the_phone_writes_its_outbox_with_strict_durability(page, live_server, server_db):
    log_in(page, live_server, "outreach")
    page.add_init_script(RECORD_TRANSACTIONS)
    page.goto(f"{live_server}/da/signup")
    fill_signup(page, "Maryan", "20 98 00 07")
    wait_for(page, lambda: arrived(server_db, "+4520980007") == 1)
    wait_for_waiting(page, 0)
    writes = [t for t in page.evaluate("window.__transactions") if t["mode"] == "readwrite"]
    assert len(writes) >= 2  # the sign-up saved, then the server's answer applied
    assert {t["durability"] for t in writes} == {"strict"}, json.dumps(writes)


def test_both_scripts_are_on_the_phone_from_the_login_on(browser, live_server):
    context = browser.new_context(**PHONE)  # with the service worker
    page = context.new_page()
    log_in(page, live_server, "outreach")
    wait_until(page, "Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)")
    wait_until(page, "caches.match('/offline-kit-kept').then(Boolean)")  # the login's kit, kept at once
    kept = page.evaluate(
        """() => caches.keys()
             .then(keys => caches.open(keys.find(key => key.startsWith('shell-'))))
             .then(cache => cache.keys())
             .then(requests => requests.map(request => new URL(request.url).pathname))"""
    )
    context.close()
    assert "/static/js/outbox.js" in kept and "/static/js/signup-form.js" in kept
