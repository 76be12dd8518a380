"""Staff journeys on a phone-sized screen, in four languages, online and offline."""

import gettext
from datetime import timedelta
from pathlib import Path

import pytest

from .conftest import (
    BROWSER_NOW,
    PASSWORD,
    axe_violations,
    broken_words,
    horizontal_overflow,
    log_in,
    new_phone,
    wait_until,
)

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


def catalog_text(lang, message):
    return gettext.translation("messages", TRANSLATIONS, languages=[lang]).gettext(message)


ROLES = ("admin", "coordinator", "jobconsultant", "facilitator", "outreach", "steeringgroup")
ROLE_HOME_TEXT = {
    "admin": "/da/admin/users",
    "coordinator": "Madklubben",
    "jobconsultant": "/da/my-women",
    "facilitator": "Let motion",
    "outreach": "Vildtbanegård",
    "steeringgroup": "/da/results",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_logs_in_on_a_phone_and_sees_its_home(page, live_server, role):
    log_in(page, live_server, role)
    assert page.locator("h1").is_visible()
    assert ROLE_HOME_TEXT[role] in page.content()
    assert horizontal_overflow(page) == 0


def test_touch_targets_are_at_least_44_pixels(page, live_server):
    log_in(page, live_server, "admin")
    for url in ["/da/", "/da/admin/users", "/da/account"]:
        page.goto(live_server + url)
        small = page.evaluate(
            """() => [...document.querySelectorAll('a.button, button, input, select, .languages a')]
                 .filter(e => e.offsetParent !== null && e.type !== 'hidden')
                 .map(e => e.getBoundingClientRect())
                 .filter(r => r.height < 44 || r.width < 44).length"""
        )
        assert small == 0, url


def test_a_wrong_password_shows_the_message_and_keeps_the_username(page, live_server):
    page.goto(f"{live_server}/tr/login")
    page.fill("#username", "coordinator")
    page.fill("#password", "not the password")
    page.click("main button[type=submit]")
    assert page.locator("[role=alert]").is_visible()
    assert page.input_value("#username") == "coordinator"


@pytest.mark.parametrize("language_name, lang", [("العربية", "ar"), ("اردو", "ur")])
def test_switching_to_arabic_or_urdu_turns_every_page_right_to_left(page, live_server, language_name, lang):
    log_in(page, live_server, "coordinator")
    page.click(".language-menu summary")  # staff pages fold the languages into one button
    page.click(f".languages a:text-is('{language_name}')")
    page.wait_for_url(f"{live_server}/{lang}/")
    for url in [
        f"/{lang}/",
        f"/{lang}/admin/users",
        f"/{lang}/account",
        f"/{lang}/consent",
        f"/{lang}/offline",
    ]:
        page.goto(live_server + url)
        assert page.get_attribute("html", "dir") == "rtl"
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        assert horizontal_overflow(page) == 0, url
    # The language's own font is served from the app and actually used.
    font = {"ar": "Noto Naskh Arabic", "ur": "Noto Nastaliq Urdu"}[lang]
    page.evaluate("document.fonts.ready")
    assert page.evaluate(f"document.fonts.check('16px \"{font}\"', 'سلام')")
    assert page.evaluate(
        f"[...document.fonts].some(f => f.family.replace(/\"/g, '') === '{font}' && f.status === 'loaded')"
    )


def test_the_first_visit_picks_the_browsers_language(browser, live_server):
    context = browser.new_context(locale="ar-EG", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/")
    assert page.url == f"{live_server}/ar/login?next=/ar/"
    assert page.get_attribute("html", "dir") == "rtl"
    context.close()


# Adds up every layout shift of the page from its first byte, as Chrome's CLS does (shifts right after a tap
# do not count): read after axe-core has run, when late bars and fonts have had time to move things.
MEASURE_LAYOUT_SHIFT = """
window.layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.layoutShift += entry.value;
}).observe({ type: "layout-shift", buffered: true });
"""
MAX_LAYOUT_SHIFT = 0.05


def page_problems(page):
    """axe-core violations, horizontal scrolling on a 360 px screen, words broken across lines, and
    content that jumps after it was shown (layout shift over 0.05)."""
    overflow = horizontal_overflow(page)
    broken = [f"word broken across lines: {word}" for word in broken_words(page)]
    problems = axe_violations(page) + ([f"{overflow}px wider than the screen"] if overflow else []) + broken
    shift = page.evaluate("window.layoutShift")
    if shift is not None and shift > MAX_LAYOUT_SHIFT:
        problems.append(f"layout shift {shift:.3f}")
    return problems


@pytest.mark.parametrize("lang", ["da", "tr", "ur", "ar"])
def test_no_page_has_accessibility_violations_or_scrolls_sideways(browser, live_server, live_database, lang):
    context = new_phone(browser)
    context.add_init_script(MEASURE_LAYOUT_SHIFT)
    page = context.new_page()
    checked = []
    code = poster_code(live_database)
    for url in [f"/{lang}/login", f"/{lang}/offline", f"/{lang}/no-such-page", f"/{lang}/j/{code}"]:
        page.goto(live_server + url)
        checked.append((url, page_problems(page)))
    for role, urls in {
        "admin": [
            "/",
            "/admin/users",
            "/admin/users/2",
            "/account",
            "/consent",
            "/admin/privacy",
            "/programme",
            "/results",
            "/results?by=estate",
            "/report",
            "/report?period=all",
            "/participants/1/export",
            "/participants/1/erase",
        ],
        "coordinator": [
            "/",
            "/campaigns",
            "/campaigns/1",
            "/campaigns/1/posters/local_tv",
            "/groups",
            "/groups/new",
            "/groups/1",
            "/groups/1/edit",
            "/groups/1/sessions/1",
            "/groups/1/sessions/new",
            "/participants",
            "/participants/1",
            "/participants/1/withdraw",
            "/groups/1/register",
            "/groups/1/sessions/1/attendance",
            f"/groups/1/register?from={BROWSER_NOW.date()}&to={BROWSER_NOW.date() + timedelta(weeks=8)}",
            "/follow-up",
            "/calls",
            "/results",
            "/my-women",
            "/companies",
            "/companies/1",
            "/participants/1/timeline",
            "/participants/1/progress",
            "/participants/1/edit",
            "/participants/1/steps/new",
            "/participants/1/steps/2",
            "/participants/2/steps/3",
            "/participants/1/leave",
            "/participants/1/benefit",
            "/participants/9/call",
            "/participants/9/enrol",
        ],
        "jobconsultant": ["/", "/participants/2/cv/print", "/my-women", "/participants/2/cv"],
        "facilitator": ["/", "/today", "/groups", "/groups/2/schedule", "/scan", "/account/two-factor"],
        "outreach": ["/", "/signup", "/signups/mine", "/cards/blank"],
        "steeringgroup": ["/", "/results", "/results?by=campaign", "/report?period=all", "/account"],
    }.items():
        log_in(page, live_server, role, lang)
        for url in urls:
            page.goto(f"{live_server}/{lang}{url}")
            checked.append((f"{role} {url}", page_problems(page)))
        page.click("header button[type=submit]")  # log out
        page.wait_for_url(f"{live_server}/{lang}/login")
    # Forms with errors too.
    page.fill("#username", "")
    page.click("main button[type=submit]")
    checked.append(("login with errors", page_problems(page)))
    page.goto(f"{live_server}/{lang}/j/{code}")
    page.fill("#first_name", "Amina")
    page.click("main button[type=submit]")
    checked.append(("self sign-up with errors", page_problems(page)))
    context.close()
    assert [item for item in checked if item[1]] == []


def test_an_admin_disables_an_account_in_place(page, live_server):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/da/admin/users")
    page.evaluate("window.notReloaded = true")
    row = page.locator("tr", has_text="outreach")
    row.locator("button").click()
    row.locator(".badge").wait_for()
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the row only
    row.locator("button").click()
    row.locator(".badge").wait_for(state="detached")


def poster_code(database):
    import sqlite3

    connection = sqlite3.connect(database)
    code = connection.execute("SELECT code FROM poster_codes WHERE channel = 'poster'").fetchone()[0]
    connection.close()
    return code


def test_a_woman_signs_up_from_a_poster_on_her_own_phone(browser, live_server, live_database, server_db):
    code = poster_code(live_database)
    context = new_phone(browser, locale="ar")
    page = context.new_page()
    page.goto(f"{live_server}/j/{code}")
    assert page.get_attribute("html", "dir") == "rtl"
    page.fill("#first_name", "هدى")
    page.fill("#phone", "20 99 00 77")
    page.select_option("#estate_id", label="Vildtbanegård")
    page.check("input[name=consent_text_id]")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/ar/j/{code}/thanks")
    assert context.cookies() == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    assert page.evaluate("caches.keys().then(k => k.length)") == 0
    row = server_db.execute(
        "SELECT channel, language FROM participants WHERE phone = '+4520990077'"
    ).fetchone()
    assert tuple(row) == ("poster", "ar")
    context.close()


def wait_until_controlled(page):
    wait_until(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def test_the_shell_and_saved_pages_load_while_offline(context, page, live_server):
    log_in(page, live_server, "outreach", "ar")
    wait_until_controlled(page)
    page.reload()  # now through the service worker, which keeps the page
    wait_until(page, "caches.has('pages')")
    context.set_offline(True)
    page.reload()
    assert "Vildtbanegård" in page.content()
    assert page.get_attribute("html", "dir") == "rtl"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.top')).display") == "flex"
    )  # CSS from cache
    page.goto(f"{live_server}/ar/account")  # never kept: the offline page, in Arabic
    assert page.locator("h1").inner_text() == catalog_text("ar", "No connection")
    assert page.url == f"{live_server}/ar/account"
    context.set_offline(False)


def test_logging_out_forgets_the_saved_pages(context, page, live_server):
    log_in(page, live_server, "facilitator")
    wait_until_controlled(page)
    page.reload()
    wait_until(page, "caches.has('pages')")
    page.click("header button[type=submit]")
    page.wait_for_url(f"{live_server}/da/login")
    wait_until(page, "caches.open('pages').then(cache => cache.match('/da/')).then(page => !page)")
    context.set_offline(True)
    page.goto(f"{live_server}/da/")
    assert "Let motion" not in page.content()
    assert page.locator("h1").inner_text() == catalog_text("da", "No connection")
    context.set_offline(False)


def test_a_disabled_session_cookie_stops_working_in_the_browser(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server, "coordinator")
    cookies = context.cookies()
    page.click("header button[type=submit]")  # logout first looks into the phone's outbox, then posts
    page.wait_for_url(f"{live_server}/da/login")  # logged out: only now is the copied cookie worthless
    other = browser.new_context()
    other.add_cookies(cookies)
    other_page = other.new_page()
    other_page.goto(f"{live_server}/da/")
    assert other_page.url == f"{live_server}/da/login?next=/da/"
    assert PASSWORD not in other_page.content()
    context.close()
    other.close()


def test_an_arabic_script_name_on_a_danish_page_gets_its_font_only_when_shown(page, live_server):
    """A phone without Arabic fonts would show boxes for "رخسانہ" in a Danish list: the font is declared on
    every page, and its unicode-range makes it download only when such a name is on the page."""
    naskh = "[...document.fonts].filter(f => f.family.includes('Naskh Arabic'))"
    page.goto(f"{live_server}/da/login")
    assert page.evaluate(f"{naskh}.length") >= 1  # declared here too
    # Latin text, and the language bar's "اردو" and "العربية" from their own 4 KB subset: not downloaded.
    wait_until(
        page, "[...document.fonts].some(f => f.family.includes('Language Names') && f.status === 'loaded')"
    )
    assert page.evaluate(f"{naskh}.every(f => f.status === 'unloaded')")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<p dir=\"auto\">رخسانہ</p>')"
    )
    wait_until(page, f"{naskh}.some(f => f.status === 'loaded')")


def printed_pages(pdf):
    """The number of pages in a PDF that Chromium printed."""
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


@pytest.mark.parametrize("lang", ["da", "tr", "ur", "ar"])
def test_a_poster_prints_on_one_a4_page_with_pictograms_and_a_short_link(browser, live_server, lang):
    context = new_phone(browser)
    page = context.new_page()
    log_in(page, live_server, "coordinator", lang)
    for query in ("", "?others=1"):  # and with the campaign's other languages on the same sheet
        page.goto(f"{live_server}/{lang}/campaigns/1/posters/grocery_notice{query}")
        assert page.locator(".poster .pictogram").count() >= 4
        short = page.inner_text(".poster-link")
        assert "/j/" in short and "http" not in short
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True)
        assert printed_pages(pdf) == 1, (lang, query)
        page.emulate_media(media="screen")
    others = page.locator(".poster-others [lang]")
    assert others.count() == 3 and lang not in [others.nth(i).get_attribute("lang") for i in range(3)]
    # The short link, typed as printed (capitals and all), opens her sign-up form.
    typed = short.split("/j/", 1)[1].upper()
    page.goto(f"{live_server}/{lang}/j/{typed}")
    assert page.locator("main form").count() == 1 and "/j/" in page.url and typed not in page.url
    context.close()


def test_a_sheet_of_blank_cards_prints_eight_to_one_a4_page(page, live_server):
    log_in(page, live_server, "outreach")
    page.goto(f"{live_server}/da/cards/blank")
    assert page.locator(".qr-card").count() == 8
    page.emulate_media(media="print")
    assert printed_pages(page.pdf(format="A4")) == 1
