"""Check-ins per second through the outbox on gunicorn, one check-in per request, as scanners send them.

Run: .venv/bin/python bench/checkin.py [--workers 4] [--phones 4] [--women 2000]
Starts gunicorn on a free port with a fresh database holding one session today with `--women` women,
each with a card. `--phones` facilitator phones (threads, each its own login) scan every woman between
them, one request per scan, then every phone scans every card once more (all answered "duplicate").
Reports check-ins per second and latency per request (median, p95) for both rounds, and checks that
exactly one attendance row exists per woman.

Then, in Debian's Chromium with the fake camera filming a card and the CPU slowed 6× (CDP
Emulation.setCPUThrottlingRate), the time from taking the camera's current frame to the woman's name
on screen: decoding (qr-scanner's worker, as on phones without BarcodeDetector), hashing the code,
finding her in the roster, showing her name. 20 frames, at 1× and 6×.
"""

import argparse
import hashlib
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import db as database  # noqa: E402
from blueprints.auth.queries import create_user  # noqa: E402
from blueprints.groups import queries as groups  # noqa: E402
from blueprints.groups.schedule import Schedule  # noqa: E402
from outbox import PASSWORD, Phone, free_port, start_gunicorn  # noqa: E402

PRETIX_RATE, PRETIX_P95_MS = 55, 180


def build(path, women):
    """One session today of a group with `women` women, each with a card; return (session id, codes)."""
    db = database.connect(path)
    database.migrate(db)
    facilitator = create_user(db, "facilitator", "facilitator", PASSWORD, "Hanan")
    schedule = Schedule(date.today(), date.today(), tuple(range(7)), clock(0, 1), clock(23, 59))
    fields = {
        "name": "Madklubben",
        "activity": "cooking",
        "estate_id": None,
        "place": "Beboerhuset",
        "bring": "",
        "languages": ["da"],
        "capacity": women,
    }
    codes = [f"BENCH-CARD-{number:06d}-XYZ" for number in range(women)]
    with database.transaction(db):
        group_id = groups.create_group(db, fields, schedule, [facilitator], [], facilitator)
        for number, code in enumerate(codes):
            woman = db.execute(
                "INSERT INTO participants (first_name, phone, language, registered_at)"
                " VALUES (?, ?, 'ar', '2026-01-01')",
                [f"Kvinde {number}", f"+4530{number:06d}"],
            ).lastrowid
            db.execute(
                "INSERT INTO enrolments (group_id, participant_id, state, since) VALUES (?, ?, 'active', ?)",
                [group_id, woman, "2026-01-01"],
            )
            db.execute(
                "INSERT INTO cards (code_hash, participant_id, issued_at) VALUES (?, ?, '2026-01-01')",
                [hashlib.sha256(code.encode()).hexdigest(), woman],
            )
    session_id = groups.group_sessions(db, group_id, "2000")[0]["id"]
    db.close()
    return session_id, codes


def scan_item(session_id, code):
    now = datetime.now(UTC).isoformat(timespec="seconds")
    data = {"session_id": session_id, "card_code": code, "scanned_at": now}
    return {"id": str(uuid.uuid4()), "kind": "checkin", "recorded_at": now, "data": data}


def scan_round(phones, session_id, shares, expected):
    """Every phone sends its share, one check-in per request; return (seconds, latencies in ms)."""
    latencies, failures = [], []

    def scan(phone, codes):
        for code in codes:
            started = time.perf_counter()
            (answer,) = phone.send([scan_item(session_id, code)])
            latencies.append((time.perf_counter() - started) * 1000)
            if answer["status"] not in expected:
                failures.append(answer)

    threads = [threading.Thread(target=scan, args=pair) for pair in zip(phones, shares, strict=True)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
    return time.perf_counter() - started, latencies


def report(name, count, seconds, latencies):
    rate = count / seconds
    median, p95 = statistics.median(latencies), statistics.quantiles(latencies, n=20)[18]
    print(
        f"| {name} | {count:,} | {rate:,.0f}/s ({rate / PRETIX_RATE:.1f}× pretix) | {median:.1f} ms"
        f" | {p95:.1f} ms ({p95 / PRETIX_P95_MS:.2f}× pretix) |"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--phones", type=int, default=4)
    parser.add_argument("--women", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.sqlite")
        session_id, codes = build(path, args.women)
        port = free_port()
        server = start_gunicorn(path, port, args.workers)
        try:
            phones = [Phone(f"http://127.0.0.1:{port}") for _ in range(args.phones)]
            for phone in phones:
                phone.log_in("facilitator")
            shares = [codes[index :: args.phones] for index in range(args.phones)]
            first = scan_round(phones, session_id, shares, {"ok"})
            again = scan_round(phones, session_id, [codes] * args.phones, {"duplicate"})
        finally:
            server.terminate()
            server.wait()
        conn = sqlite3.connect(path)
        rows = conn.execute("SELECT count(*) FROM attendance WHERE session_id = ?", [session_id]).fetchone()[
            0
        ]
        conn.close()
    assert rows == args.women, rows
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; gunicorn with"
        f" {args.workers} workers, {args.phones} phones sending at once, SQLite WAL, synchronous=FULL."
    )
    print("| round | check-ins | rate | median | p95 |")
    print("|---|---:|---:|---:|---:|")
    report("first scan of each card", args.women, *first)
    report("every phone scans every card again", args.women * args.phones, *again)
    print(
        f"\nAttendance rows: {rows:,} for {args.women:,} women scanned {1 + args.phones} times: none lost, none doubled."
    )


# ---- From the camera frame to the name on screen, in Chromium with the CPU slowed 6× ----------------

CAMERA_RUNS = 20


def camera_to_screen(slowdown=6):
    """Decode the camera's current frame and show the name, as the scanner does; return times in ms."""
    import logging
    import threading as _threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    import demo
    from app import create_app
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
    from tests.browser.test_scanner import card_video

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "camera.sqlite")
        demo.rebuild(path, PASSWORD)
        code = "BENCH-CAMERA-CARD-0001"
        conn = sqlite3.connect(path)
        amina = conn.execute("SELECT id FROM participants WHERE first_name = 'Amina'").fetchone()[0]
        conn.execute(
            "INSERT INTO cards (code_hash, participant_id, issued_at) VALUES (?, ?, '2026-01-01')",
            [hashlib.sha256(code.encode()).hexdigest(), amina],
        )
        conn.commit()
        conn.close()
        app = create_app({"DATABASE": path, "SECRET_KEY": "bench"})
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        _threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        video = card_video(str(Path(folder) / "card.y4m"), code)
        args = CHROMIUM_ARGS + [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
            page = browser.new_context(**PHONE, permissions=["camera"]).new_page()
            page.goto(base + "/da/login")
            page.fill("#username", "facilitator")
            page.fill("#password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(base + "/da/")
            page.goto(base + "/da/scan")
            for _ in range(200):
                if page.evaluate("document.querySelector('[data-scan-name]').textContent === 'Amina'"):
                    break
                time.sleep(0.1)
            page.evaluate("window.scanner.stop()")
            cdp = page.context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
            times = page.evaluate(
                """async (runs) => {
                    // The scanner is stopped; this page's own video of the camera gives the frames.
                    const video = document.createElement('video');
                    video.muted = true;
                    video.playsInline = true;
                    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
                    await video.play();
                    await new Promise((resolve) => video.requestVideoFrameCallback(resolve));
                    const engine = await QrScanner.createQrEngine();
                    const name = document.querySelector('[data-scan-name]');
                    const times = [];
                    for (let run = 0; run < runs; run++) {
                        name.textContent = '';
                        window.checkinScanner.forgetLastCard();
                        const shown = new Promise((resolve) => {
                            new MutationObserver((_, observer) => {
                                if (name.textContent) { observer.disconnect(); resolve(); }
                            }).observe(name, { childList: true, characterData: true, subtree: true });
                        });
                        const started = performance.now();
                        const scan = await QrScanner.scanImage(video, { qrEngine: engine, returnDetailedScanResult: true });
                        window.checkinScanner.onCode(scan.data);
                        await shown;
                        times.push(performance.now() - started);
                    }
                    return times;
                }""",
                CAMERA_RUNS,
            )
            browser.close()
        server.shutdown()
    return times


def print_camera_figures():
    for slowdown in (1, 6):
        times = camera_to_screen(slowdown)
        median, p95 = statistics.median(times), statistics.quantiles(times, n=20)[18]
        print(f"| {slowdown}× | {len(times)} | {median:.0f} ms | {p95:.0f} ms | {max(times):.0f} ms |")


if __name__ == "__main__":
    main()
    print(
        "\nFrom the camera frame to the name on screen (Chromium, qr-scanner's worker: no BarcodeDetector on Linux):"
    )
    print("| CPU slowed | frames | median | p95 | slowest |")
    print("|---|---:|---:|---:|---:|")
    print_camera_figures()
