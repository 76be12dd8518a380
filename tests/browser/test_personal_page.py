"""A woman opens her personal link on her phone in Arabic: right to left, her sessions, no token, offline."""

import time as timer
from datetime import timedelta

from .conftest import BROWSER_NOW, axe_violations, horizontal_overflow, log_in, new_phone, wait_until
from .test_journeys import catalog_text


def new_personal_link(browser, base, participant_id):
    """A coordinator makes a link on the woman's record, as she would to show it to her."""
    context = new_phone(browser)
    page = context.new_page()
    log_in(page, base, "coordinator")
    page.goto(f"{base}/da/participants/{participant_id}")
    page.click("text=" + catalog_text("da", "Show a new link here"))
    link = page.input_value("#link ~ .notice input[readonly]")
    context.close()
    return link


def test_a_woman_opens_her_link_in_arabic_and_keeps_her_page_offline(browser, live_server, server_db):
    amina = server_db.execute("SELECT id FROM participants WHERE first_name = 'Amina'").fetchone()["id"]
    link = new_personal_link(browser, live_server, amina)
    token = link.rsplit("/", 1)[1]
    assert link.startswith(f"{live_server}/ar/c/") and len(token) >= 22

    context = new_phone(browser)
    page = context.new_page()
    page.goto(link)
    page.wait_for_url(f"{live_server}/ar/c")
    assert page.url == f"{live_server}/ar/c"  # the token left the address bar
    assert page.evaluate("location.href") == f"{live_server}/ar/c"
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.title() == catalog_text("ar", "Calendar")
    meetings = page.locator(".meeting")
    assert meetings.count() >= 3
    assert "Beboerhuset, Vejlegårdsparken" in page.content()
    assert "Fælleshuset" in page.content()  # she is in both demo groups
    assert "Amina" not in page.content()
    # What to bring in Arabic, each with its pictogram, not the Danish the staff member would have typed.
    apron = page.locator(".phrases li", has_text=catalog_text("ar", "An apron")).first
    assert apron.is_visible() and apron.locator("svg.phrase").is_visible()
    # Right to left for real: the pictogram sits on the right of each meeting.
    first = meetings.first.bounding_box()
    icon = meetings.first.locator(".pictogram").bounding_box()
    assert icon["x"] > first["x"] + first["width"] / 2
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0

    # Ready, not necessarily in control of this page yet: a page that arrived while the service worker
    # was starting is controlled from the next load on, which is all going offline needs.
    wait_until(page, "navigator.serviceWorker.ready.then(r => !!r.active)")
    wait_until(page, "caches.match('/ar/c').then(Boolean)")
    page.reload()  # her second visit, through the service worker: it keeps her page's other languages
    wait_until(page, "caches.match('/tr/c').then(Boolean)")
    context.set_offline(True)
    page.reload()
    assert page.locator(".meeting").count() == meetings.count()
    assert page.get_attribute("html", "dir") == "rtl"
    page.goto(f"{live_server}/tr/c")  # her page in another language was kept too
    assert page.get_attribute("html", "dir") == "ltr" and page.locator(".meeting").count() >= 3
    context.set_offline(False)

    # The same link on another phone, much later, would show nothing; here: her cookie is the key.
    other = new_phone(browser)
    stranger = other.new_page()
    stranger.goto(f"{live_server}/ar/c")
    assert stranger.locator(".meeting").count() == 0
    other.close()
    context.close()


def test_quick_exit_leaves_at_once(browser, live_server, server_db):
    samira = server_db.execute("SELECT id FROM participants WHERE first_name = 'Samira'").fetchone()["id"]
    link = new_personal_link(browser, live_server, samira)
    context = new_phone(browser)
    page = context.new_page()
    # The neutral site is not reachable from here: answer for it locally.
    page.route(
        "https://www.dmi.dk/**",
        lambda route: route.fulfill(body="<title>Vejret</title>", content_type="text/html"),
    )
    page.goto(link)
    page.wait_for_url(f"{live_server}/ar/c")
    for lang in ("ur", "ar"):  # she reads it in Urdu, then back in Arabic
        page.click(f'.languages a[lang="{lang}"]')
        page.wait_for_url(f"{live_server}/{lang}/c")
    page.click("[data-quick-exit]")
    page.wait_for_url("https://www.dmi.dk/**")
    page.go_back()  # the back button does not bring her page back, in any language: each was replaced
    assert page.url == "about:blank"  # where this phone's history began
    context.close()


def test_the_sticky_exit_button_covers_no_text(browser, live_server, server_db):
    samira = server_db.execute("SELECT id FROM participants WHERE first_name = 'Samira'").fetchone()["id"]
    context = new_phone(browser)
    page = context.new_page()
    page.goto(new_personal_link(browser, live_server, samira))
    page.wait_for_url(f"{live_server}/ar/c")
    bar = page.evaluate(
        """() => { const bar = document.querySelector(".quick-exit-bar").getBoundingClientRect();
                   const main = document.querySelector("main").getBoundingClientRect();
                   return {background: getComputedStyle(document.querySelector(".quick-exit-bar")).backgroundColor,
                           left: bar.left, right: bar.right, mainLeft: main.left, mainRight: main.right}; }"""
    )
    # Opaque and as wide as the page: scrolled text passes under it instead of showing around the button.
    assert bar["background"] not in ("transparent", "rgba(0, 0, 0, 0)")
    assert bar["left"] <= bar["mainLeft"] + 1 and bar["right"] >= bar["mainRight"] - 1
    covered = page.evaluate(
        """() => {
            const exit = document.querySelector(".quick-exit-bar").getBoundingClientRect();
            return [...document.querySelectorAll("main p, main h1, main h2, main li, main time")]
                .filter((el) => !el.closest(".quick-exit-bar"))
                .filter((el) => { const r = el.getBoundingClientRect();
                    return r.width > 0 && r.bottom > exit.top + 1 && r.top < exit.bottom - 1; })
                .map((el) => el.textContent.trim().slice(0, 30));
        }"""
    )
    assert covered == []  # at the top of her page the strip sits above the text, covering none of it
    context.close()


def test_today_follows_the_phones_clock_on_a_page_opened_days_later(browser, live_server, server_db):
    samira = server_db.execute("SELECT id FROM participants WHERE first_name = 'Samira'").fetchone()["id"]
    context = new_phone(browser)  # the phone's clock: the Tuesday morning her cooking group meets
    page = context.new_page()
    page.goto(new_personal_link(browser, live_server, samira))
    page.wait_for_url(f"{live_server}/ar/c")
    badge = page.locator(".meeting").first.locator("[data-relative-day]")
    assert badge.is_visible() and badge.inner_text() == catalog_text("ar", "Today")
    # Two days later the page comes from the phone (or from a server that said "today"): it must not say so.
    page.clock.set_system_time(BROWSER_NOW + timedelta(days=2))
    page.reload()
    assert page.locator(".meeting").first.locator("[data-relative-day]").is_hidden()
    context.close()


def test_her_phone_gets_no_staff_script_and_not_the_page_she_sees_twice(browser, live, server_db):
    server, live_server = live
    samira = server_db.execute("SELECT id FROM participants WHERE first_name = 'Samira'").fetchone()["id"]
    link = new_personal_link(browser, live_server, samira)
    context = new_phone(browser)
    page = context.new_page()
    server.app.paths.clear()
    page.goto(link)
    page.wait_for_url(f"{live_server}/ar/c")
    wait_until(page, "navigator.serviceWorker.ready.then(r => !!r.active)")
    wait_until(page, "caches.match('/ar/offline').then(Boolean)")
    wait_until(page, "caches.match('/ar/c').then(Boolean)")
    timer.sleep(1)  # time for anything more the page or its service worker would ask for
    asked = list(server.app.paths)
    for staff_script in ("outbox.js", "signup-form.js", "scanner.js", "htmx", "qr-scanner"):
        assert not any(staff_script in path for path in asked), (staff_script, asked)
    # Her first visit: her page (once, or twice when the service worker was not in control yet: shown,
    # then kept), "No connection" in her language, no other language.
    assert {path for path in asked if path.endswith("/c")} == {"/ar/c"}, asked
    assert [path for path in asked if path.endswith("/offline")] == ["/ar/offline"], asked

    server.app.paths.clear()
    page.reload()  # the service worker serves and keeps this page as it comes, and keeps the others now
    wait_until(page, "!!navigator.serviceWorker.controller")  # active before this load: it is in control
    wait_until(
        page,
        "Promise.all(['da', 'tr', 'ur', 'ar'].map(l => caches.match('/' + l + '/c'))).then(f => f.every(Boolean))",
    )
    assert sorted(path for path in server.app.paths if path.endswith("/c")) == [
        "/ar/c",
        "/da/c",
        "/tr/c",
        "/ur/c",
    ]

    server.app.paths.clear()
    page.reload()
    wait_until(page, "document.readyState === 'complete'")
    timer.sleep(1)  # time for the page to ask its service worker to keep the other languages
    asked = [path for path in server.app.paths if path.endswith("/c")]
    # Hers once (the service worker keeps it as it comes); the other languages were kept moments ago.
    assert asked == ["/ar/c"], asked

    context.set_offline(True)
    page.goto(f"{live_server}/ar/login")  # never kept: "No connection", in her language
    assert page.locator("h1").inner_text() == catalog_text("ar", "No connection")
    context.set_offline(False)
    context.close()
