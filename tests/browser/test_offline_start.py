"""Offline from the first minute: a worker logs in at the office and walks to a stairwell with no signal,
without having opened the sign-up form or the scanner first; and the same after a new version is deployed."""

import shutil
import time
from pathlib import Path

import pytest

from tokens import sha256_hex

from .conftest import log_in, new_phone, serve, wait_for_waiting, wait_until
from .test_signup import fill_signup, wait_for_participant

STATIC = Path(__file__).parents[2] / "static"

KIT_KEPT = "caches.match('/offline-kit-kept').then(Boolean)"
ROSTER_KEPT = "Object.keys(localStorage).some(key => key.startsWith('roster:'))"


def attendance_count(server_db, session_id, first_name):
    return server_db.execute(
        """SELECT count(*) FROM attendance a JOIN participants p ON p.id = a.participant_id
            WHERE a.session_id = ? AND p.first_name = ?""",
        [session_id, first_name],
    ).fetchone()[0]


def sign_up_and_check_in_offline(context, page, base, server_db, session_index, phone):
    """Offline, open sign-up in Urdu and the scanner (never opened online), register a woman and check in
    the last woman of the session at `session_index` in the scanner's list (a later one than the other
    tests use) by name; online again, exactly one sign-up and one attendance arrive."""
    context.set_offline(True)
    page.goto(f"{base}/ur/signup")
    assert page.get_attribute("html", "lang") == "ur"
    assert page.locator("#signup-form").is_visible()
    fill_signup(page, "رخسانہ", phone)
    wait_for_waiting(page, 1)
    page.goto(f"{base}/da/scan")
    page.locator("[data-manual-list] button").first.wait_for()  # the scanner ran, with the list kept at login
    page.select_option("[data-session]", index=session_index)
    session = int(page.input_value("[data-session]"))
    # Zainab: a woman whose attendance no other test counts (the last in "Let motion"'s list).
    woman = page.locator("[data-manual-list] button").last
    first_name = woman.inner_text()
    assert first_name == "Zainab"
    before = attendance_count(server_db, session, first_name)
    woman.click()
    wait_until(page, f"document.querySelector('[data-scan-name]').textContent === {first_name!r}")
    wait_for_waiting(page, 2)
    context.set_offline(False)
    wait_for_waiting(page, 0)
    assert len(wait_for_participant(server_db, "+45" + phone.replace(" ", ""))) == 1
    assert attendance_count(server_db, session, first_name) == before + 1


def test_after_a_fresh_login_sign_up_and_check_in_work_offline(browser, live_server, server_db):
    context = new_phone(browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "facilitator")
    wait_until(page, KIT_KEPT)
    wait_until(page, ROSTER_KEPT)
    sign_up_and_check_in_offline(context, page, live_server, server_db, 1, "20 99 07 01")
    context.close()


@pytest.fixture
def new_release(tmp_path):
    """A copy of the static files with a changed scanner and outbox script: new content hashes, so a new
    service worker version."""
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    for name in ("js/scanner.js", "js/outbox.js"):
        with open(folder / name, "a") as script:
            script.write("\n// the next release\n")
    return folder


def test_a_new_release_keeps_every_offline_page_with_its_new_files(
    browser, live_database, server_db, new_release
):
    """Cold start of a new service worker: it deletes the old files, so it must keep the login's pages anew
    with the new files, before she walks off to the stairwell."""
    old, base = serve(live_database)
    context = new_phone(browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        log_in(page, base, "facilitator")
        wait_until(page, KIT_KEPT)
        wait_until(page, ROSTER_KEPT)
        port = old.server_port
        old.shutdown()
        old.server_close()
        new, _ = serve(live_database, port, new_release)
        new_scanner = sha256_hex((new_release / "js/scanner.js").read_bytes())[:10]
        page.goto(f"{base}/da/")  # the browser finds the new service worker
        wait_until(
            page,
            f"caches.match('/ur/scan').then(r => r && r.text()).then(t => !!t && t.includes('{new_scanner}'))",
        )
        wait_until(page, f"caches.match('/static/js/scanner.js?v={new_scanner}').then(Boolean)")
        wait_until(page, "caches.keys().then(keys => keys.filter(k => k.startsWith('shell-')).length === 1)")
        sign_up_and_check_in_offline(context, page, base, server_db, 2, "20 99 07 02")
        new.shutdown()
    finally:
        context.close()


def test_a_stalled_network_shows_the_kept_scanner_and_her_page_within_3_seconds(
    browser, live_database, server_db
):
    from .test_personal_page import new_personal_link

    server, base = serve(live_database)
    amina = server_db.execute("SELECT id FROM participants WHERE first_name = 'Amina'").fetchone()["id"]
    link = new_personal_link(browser, base, amina)
    staff = new_phone(browser)
    her = new_phone(browser)
    try:
        page = staff.new_page()
        log_in(page, base, "facilitator")
        wait_until(page, KIT_KEPT)
        wait_until(page, ROSTER_KEPT)
        own = her.new_page()
        own.goto(link)
        own.wait_for_url(f"{base}/ar/c")
        wait_until(own, "caches.match('/ar/c').then(Boolean)")

        server.app.seconds = 8
        started = time.monotonic()
        page.goto(f"{base}/da/scan", wait_until="commit")
        page.locator("[data-manual-list] button").first.wait_for()  # the kept list, before any answer
        scanner_after = time.monotonic() - started
        started = time.monotonic()
        own.goto(f"{base}/ar/c", wait_until="commit")
        own.locator(".meeting").first.wait_for()
        her_page_after = time.monotonic() - started
        assert scanner_after < 3 and her_page_after < 3, (scanner_after, her_page_after)
    finally:
        server.app.seconds = 0
        staff.close()
        her.close()
        server.shutdown()
