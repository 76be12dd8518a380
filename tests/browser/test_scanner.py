"""The check-in scanner on a phone, with Chromium's fake camera showing a QR card."""

import time

import pytest
import qrcode

from ..conftest import give_card
from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, log_in
from .test_journeys import catalog_text

WIDTH, HEIGHT = 640, 480


def card_video(path, code, frames=10):
    """A YUV4MPEG2 video whose every frame shows the QR card with `code`, as a camera would see it."""
    matrix = qrcode.QRCode(border=4, box_size=1)
    matrix.add_data(code)
    matrix.make(fit=True)
    modules = matrix.get_matrix()
    scale = min(WIDTH, HEIGHT) * 3 // 4 // len(modules)
    left, top = (WIDTH - scale * len(modules)) // 2, (HEIGHT - scale * len(modules)) // 2
    luma = bytearray([235]) * (WIDTH * HEIGHT)  # white paper
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + y * scale + dy) * WIDTH + left + x * scale
                    luma[start : start + scale] = bytes([16]) * scale
    chroma = bytes([128]) * (WIDTH * HEIGHT // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma)
    return path


def wait_until(page, expression, timeout=20):
    """Poll from here: the page's CSP forbids the eval that page.wait_for_function polls with."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        time.sleep(0.1)
    raise AssertionError(f"not true after {timeout} s: {expression}")


def card_for(server_db, first_name, code):
    """Give the demo woman called `first_name` a card with `code`; return her id."""
    participant = server_db.execute(
        "SELECT id FROM participants WHERE first_name = ?", [first_name]
    ).fetchone()["id"]
    give_card(server_db, participant, code)
    return participant


@pytest.fixture
def camera_browser(playwright, tmp_path):
    """A Chromium whose camera films the card given to it: yield a function that launches one."""
    launched = []

    def launch(code=None):
        args = list(CHROMIUM_ARGS)
        if code:
            video = card_video(str(tmp_path / f"{code}.y4m"), code)
            args += [
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        launched.append(browser)
        return browser

    yield launch
    for browser in launched:
        browser.close()


def attendance(server_db, participant_id):
    return server_db.execute(
        "SELECT session_id, method FROM attendance WHERE participant_id = ?", [participant_id]
    ).fetchall()


def test_a_scan_shows_her_name_checked_in_and_a_second_scan_already(camera_browser, live_server, server_db):
    amina = card_for(server_db, "Amina", "SCAN-AMINA-000000001")
    browser = camera_browser("SCAN-AMINA-000000001")
    context = browser.new_context(**PHONE, permissions=["camera"])
    page = context.new_page()
    log_in(page, live_server, "facilitator")
    page.goto(f"{live_server}/da/scan")
    wait_until(page, "document.querySelector('[data-scan-name]').textContent === 'Amina'")
    assert page.inner_text("[data-scan-status]") == catalog_text("da", "Checked in")
    # She takes the card away (the camera sees no card for a few seconds) and shows it again.
    page.evaluate("window.scanner.pause()")
    time.sleep(3.5)
    page.evaluate("window.scanner.start()")
    already = catalog_text("da", "Already checked in")
    wait_until(page, f"document.querySelector('[data-scan-status]').textContent === {already!r}")
    wait_until(page, "window.outbox.items().then(items => items.length === 0)")
    rows = attendance(server_db, amina)
    assert len(rows) == 1 and rows[0]["method"] == "qr"
    context.close()


def test_an_offline_scan_is_queued_then_synced_to_one_attendance(camera_browser, live_server, server_db):
    samira = card_for(server_db, "Samira", "SCAN-SAMIRA-00000001")
    browser = camera_browser("SCAN-SAMIRA-00000001")
    context = browser.new_context(**PHONE, permissions=["camera"])
    page = context.new_page()
    log_in(page, live_server, "facilitator")
    page.goto(f"{live_server}/da/scan")
    page.wait_for_selector("[data-session] option", state="attached")
    page.evaluate("window.scanner && window.scanner.stop()")  # hold the card away while the network goes
    context.set_offline(True)
    page.evaluate("window.scanner.start()")
    wait_until(page, "document.querySelector('[data-scan-name]').textContent === 'Samira'")
    wait_until(page, "window.outbox.items().then(items => items.length === 1)")
    time.sleep(1)
    assert attendance(server_db, samira) == []
    context.set_offline(False)
    page.evaluate("window.outbox.replay()")
    wait_until(page, "window.outbox.items().then(items => items.length === 0)")
    assert len(attendance(server_db, samira)) == 1
    context.close()


def test_without_the_camera_the_list_of_names_is_offered(camera_browser, live_server, server_db):
    browser = camera_browser()  # no fake camera: the phone refuses it
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in(page, live_server, "facilitator")
    page.goto(f"{live_server}/da/scan")
    page.wait_for_selector("[data-camera-denied]:not([hidden])", timeout=20_000)
    names = page.locator("[data-manual-list] button")
    assert names.count() >= 3
    nadia = server_db.execute("SELECT id FROM participants WHERE first_name = 'Nadia'").fetchone()["id"]
    page.click("[data-manual-list] button >> text=Nadia")
    wait_until(page, "document.querySelector('[data-scan-name]').textContent === 'Nadia'")
    wait_until(page, "window.outbox.items().then(items => items.length === 0)")
    rows = attendance(server_db, nadia)
    assert len(rows) == 1 and rows[0]["method"] == "manual"
    context.close()


def test_an_unknown_card_is_said_plainly_and_records_nothing(camera_browser, live_server, server_db):
    before = server_db.execute("SELECT count(*) FROM attendance").fetchone()[0]
    browser = camera_browser("NOBODY-HAS-THIS-CARD-1")
    context = browser.new_context(**PHONE, permissions=["camera"])
    page = context.new_page()
    log_in(page, live_server, "facilitator", "tr")
    page.goto(f"{live_server}/tr/scan")
    unknown = catalog_text("tr", "Unknown card. Use the list below, or give her a new card.")
    wait_until(page, f"document.querySelector('[data-scan-status]').textContent === {unknown!r}")
    assert server_db.execute("SELECT count(*) FROM attendance").fetchone()[0] == before
    # Nothing is dropped silently: the refused check-in waits in "Needs attention" until she deletes it.
    wait_until(page, "!document.querySelector('[data-outbox-attention]').hidden")
    assert catalog_text("tr", "This card is not known.") in page.inner_text("[data-outbox-attention]")
    context.close()
