"""The check-in scanner on a phone, with Chromium's fake camera showing a QR card."""

import os
import time
from datetime import UTC

import pytest

from ..conftest import give_card
from .chromium import camera_frame, write_video
from .conftest import BROWSER_NOW, CHROMIUM, CHROMIUM_ARGS, log_in, new_phone, wait_for_waiting, wait_until
from .test_journeys import catalog_text


def card_video(path, code=None, frames=10):
    """Write a video whose every frame shows the QR card with `code` (blank paper without one), as a camera
    would see it. Written beside `path` and renamed onto it: a capture still reading the old file keeps it,
    and the next capture opens the new one."""
    write_video(f"{path}.new", [camera_frame(code)] * frames)
    os.replace(f"{path}.new", path)
    return path


def card_for(server_db, first_name, code):
    """Give the demo woman called `first_name` a card with `code`; return her id."""
    participant = server_db.execute(
        "SELECT id FROM participants WHERE first_name = ?", [first_name]
    ).fetchone()["id"]
    give_card(server_db, participant, code)
    return participant


@pytest.fixture(scope="session")
def camera(playwright, tmp_path_factory):
    """One Chromium for the run whose fake camera films a video file; yield the file's path. Chromium opens
    the file each time a page starts the camera, so each test writes the card it shows first."""
    video = card_video(str(tmp_path_factory.mktemp("camera") / "card.y4m"))
    args = CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    yield {"browser": browser, "video": video}
    browser.close()


@pytest.fixture
def camera_phone(camera):
    """Return a function that shows the card with `code` to the camera and opens a phone allowed to use it."""
    contexts = []

    def phone(code):
        card_video(camera["video"], code)
        context = new_phone(camera["browser"], permissions=["camera"])
        contexts.append(context)
        return context

    yield phone
    for context in contexts:
        context.close()


def attendance(server_db, participant_id):
    """Her attendance recorded during the tests (not the demo's history of sessions already held)."""
    return server_db.execute(
        "SELECT session_id, method FROM attendance WHERE participant_id = ? AND client_id NOT LIKE 'demo-%'",
        [participant_id],
    ).fetchall()


def madklubben_today(server_db):
    """The demo's Tuesday cooking session on the server's today (BROWSER_NOW): the scanner's first choice."""
    return server_db.execute(
        """SELECT s.id FROM sessions s JOIN groups g ON g.id = s.group_id
            WHERE g.name = 'Madklubben' AND s.ends_at > ? ORDER BY s.starts_at LIMIT 1""",
        [BROWSER_NOW.astimezone(UTC).isoformat()],
    ).fetchone()["id"]


def stored(server_db, participant_id, timeout=20):
    """Poll the server's database for her attendance rows: the page sends by itself, in the background."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = attendance(server_db, participant_id)
        if rows:
            return rows
        time.sleep(0.1)
    return []


def test_a_scan_shows_her_name_checked_in_and_a_second_scan_already(camera_phone, live_server, server_db):
    amina = card_for(server_db, "Amina", "SCAN-AMINA-000000001")
    page = camera_phone("SCAN-AMINA-000000001").new_page()
    log_in(page, live_server, "facilitator")
    page.goto(f"{live_server}/da/scan")
    wait_until(page, "document.querySelector('[data-scan-name]').textContent === 'Amina'")
    assert page.inner_text("[data-scan-status]") == catalog_text("da", "Checked in")
    # She takes the card away (the camera sees no card for longer than the same-card pause, on the
    # page's clock) and shows it again.
    page.evaluate("window.scanner.pause()")
    page.clock.fast_forward(4000)
    page.evaluate("window.scanner.start()")
    already = catalog_text("da", "Already checked in")
    wait_until(page, f"document.querySelector('[data-scan-status]').textContent === {already!r}")
    wait_for_waiting(page, 0)
    assert [tuple(row) for row in attendance(server_db, amina)] == [(madklubben_today(server_db), "qr")]


def test_an_offline_scan_is_queued_then_synced_to_one_attendance(camera_phone, live_server, server_db):
    samira = card_for(server_db, "Samira", "SCAN-SAMIRA-00000001")
    context = camera_phone("SCAN-SAMIRA-00000001")
    page = context.new_page()
    log_in(page, live_server, "facilitator")
    # Kept at login: the scanner page, its scripts and the list with her card. Then the network goes.
    wait_until(page, "caches.match('/offline-kit-kept').then(Boolean)")
    wait_until(page, "Object.keys(localStorage).some(key => key.startsWith('roster:'))")
    context.set_offline(True)
    page.goto(f"{live_server}/da/scan")
    wait_until(page, "document.querySelector('[data-scan-name]').textContent === 'Samira'")
    assert page.inner_text("[data-scan-status]") == catalog_text("da", "Checked in")  # decided on the phone
    wait_for_waiting(page, 1)
    assert attendance(server_db, samira) == []  # offline: nothing can have reached the server
    # Back online, the page sends by itself (on "online", and every few seconds while items wait).
    context.set_offline(False)
    assert [tuple(row) for row in stored(server_db, samira)] == [(madklubben_today(server_db), "qr")]
    wait_for_waiting(page, 0)
    wait_until(page, "window.outbox.items().then(items => items.length === 0)")
    assert page.inner_text("[data-scan-name]") == "Samira"
    assert page.inner_text("[data-scan-status]") == catalog_text("da", "Checked in")
    assert len(attendance(server_db, samira)) == 1


def test_without_the_camera_the_list_of_names_is_offered(browser, live_server, server_db):
    context = new_phone(browser)  # no camera: the phone refuses it
    page = context.new_page()
    log_in(page, live_server, "facilitator")
    page.goto(f"{live_server}/da/scan")
    page.wait_for_selector("[data-camera-denied]:not([hidden])", timeout=20_000)
    names = page.locator("[data-manual-list] button")
    names.first.wait_for()  # a new phone has no kept list: the server's comes a moment later
    assert names.all_inner_texts() == ["Amina", "Nadia", "Rukhsana", "Samira"]  # the cooking group's women
    nadia = server_db.execute("SELECT id FROM participants WHERE first_name = 'Nadia'").fetchone()["id"]
    page.click("[data-manual-list] button >> text=Nadia")
    wait_until(page, "document.querySelector('[data-scan-name]').textContent === 'Nadia'")
    # Wait for the row itself: the count on screen may read 0 before the item is even saved on the phone.
    rows = [tuple(row) for row in stored(server_db, nadia)]
    wait_for_waiting(page, 0)
    answers = [
        tuple(row) for row in server_db.execute("SELECT status, reason, session_id FROM checkin_items")
    ]
    assert rows == [(madklubben_today(server_db), "manual")], answers
    context.close()


def test_an_unknown_card_is_said_plainly_and_records_nothing(camera_phone, live_server, server_db):
    before = server_db.execute("SELECT count(*) FROM attendance").fetchone()[0]
    page = camera_phone("NOBODY-HAS-THIS-CARD-1").new_page()
    log_in(page, live_server, "facilitator", "tr")
    page.goto(f"{live_server}/tr/scan")
    unknown = catalog_text("tr", "Unknown card. Use the list below, or give her a new card.")
    wait_until(page, f"document.querySelector('[data-scan-status]').textContent === {unknown!r}")
    assert server_db.execute("SELECT count(*) FROM attendance").fetchone()[0] == before
    # Nothing is dropped silently: the refused check-in waits in "Needs attention" until she deletes it.
    wait_until(page, "!document.querySelector('[data-outbox-attention]').hidden")
    assert catalog_text("tr", "This card is not known.") in page.inner_text("[data-outbox-attention]")


def test_a_wrong_tap_in_the_list_is_undone_within_seconds(browser, live_server, server_db):
    context = new_phone(browser)  # no camera: the list of names
    page = context.new_page()
    log_in(page, live_server, "facilitator")
    page.goto(f"{live_server}/da/scan")
    page.locator("[data-manual-list] button").first.wait_for()
    page.select_option("[data-session]", index=1)  # a later session than the other tests use
    session = int(page.input_value("[data-session]"))
    fatma = page.locator("[data-manual-list] button >> text=Fatma")
    fatma.click()
    assert page.get_attribute("[data-manual-list] button >> text=Fatma", "aria-pressed") == "true"
    page.click("[data-undo]")
    undone = catalog_text("da", "Check-in undone.")
    wait_until(page, f"document.querySelector('[data-scan-status]').textContent === {undone!r}")
    assert fatma.get_attribute("aria-pressed") == "false"
    wait_for_waiting(page, 0)
    time.sleep(0.5)
    rows = server_db.execute(
        """SELECT count(*) FROM attendance a JOIN participants p ON p.id = a.participant_id
            WHERE a.session_id = ? AND p.first_name = 'Fatma'""",
        [session],
    ).fetchone()[0]
    assert rows == 0
    # The offer lasts a few seconds, then the button goes (on the page's clock).
    fatma.click()
    assert page.locator("[data-undo]").is_visible()
    page.clock.run_for(11_000)
    wait_until(page, "document.querySelector('[data-undo]').hidden")
    wait_for_waiting(page, 0)
    context.close()
