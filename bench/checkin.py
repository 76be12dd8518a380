"""Check-ins at the door: per second through the outbox on gunicorn, and from camera frame to name on screen.

Run: .venv/bin/python bench/checkin.py [--phones 4] [--women 1000] [--runs 3] [--workers 4] [--no-camera]
     .venv/bin/python bench/checkin.py --phones 8 --women 1000 --no-camera   (8 phones, 1,000 women)
     .venv/bin/python bench/checkin.py --camera-only                         (only the Chromium part)

Part 1, the server. Each run starts gunicorn (sync workers) on a free port with a fresh database: one
session today (Copenhagen's day) of a group of `--women` women, each with a card. `--phones` facilitator
phones (threads, each with its own login) behave as `static/js/outbox.js` does: log in, fetch one CSRF
token (`GET /api/v1/csrf`), then one `POST /api/v1/outbox` per scan with that token, fetching a new token
only after a `400 {"error": "csrf"}` answer. Round 1: the phones scan every woman between them, each
phone one card after the other (the first scan of each card, all answered `ok`). Round 2: the same cards
once more, each by another phone (all `duplicate`). Logins are not timed. Per round: check-ins a second
(cards ÷ wall time), p50 and p95 of a scan's request, errors (an HTTP error or an unexpected answer).
After each run: exactly one attendance row per woman, and one POST per scan (plus one per refused token).

Part 2, the phone. Debian's Chromium with a fake camera playing a video in which every frame (one a
second, after a few blank ones) shows the card of another enrolled woman, none checked in yet. The
scanner page runs as at the door (qr-scanner scanning up to 10 times a second; Linux Chromium has no
BarcodeDetector, so it decodes in qr-scanner's worker). For each card: from the moment its frame is
presented by the camera's stream (`requestVideoFrameCallback` on the scanner's own video element) to the
moment her name is painted (the name changes in the DOM, then a `requestAnimationFrame`, then a task
after it). That includes waiting for the scanner's next scan, decoding, hashing the code, finding her
in the roster, showing the name. At normal CPU speed and slowed 6× (CDP
`Emulation.setCPUThrottlingRate`), each in a fresh database and browser. Chromium slows the page's main
thread only: it refuses to throttle workers ("Operation is only supported for pages, not workers"), so
the decoding in qr-scanner's worker is not slowed 6× and the 6× figures understate a slow phone.
"""

import argparse
import hashlib
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from datetime import time as wall
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the app's modules first: nothing here shadows them

from loadgen import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    PHONE,
    Phone,
    free_port,
    load_now,
    log_in_context,
    machine,
    start_gunicorn,
)

import clock  # noqa: E402
import db as database  # noqa: E402
from blueprints.auth.accounts import create_user  # noqa: E402
from blueprints.groups import queries as groups  # noqa: E402
from blueprints.groups.schedule import Schedule  # noqa: E402
from tests.browser.chromium import camera_frame, write_video  # noqa: E402


def build(path, women, prefix="BENCH-CARD"):
    """One session today of a group with `women` women, each with a card; return (session id, codes, names)."""
    db = database.connect(path)
    database.migrate(db)
    facilitator = create_user(db, "facilitator", "facilitator", PASSWORD, "Hanan")
    today = clock.today()
    schedule = Schedule(today, today, tuple(range(7)), wall(0, 1), wall(23, 59))
    fields = {
        "name": "Madklubben",
        "activity": "cooking",
        "estate_id": None,
        "place": "Beboerhuset",
        "bring": "",
        "languages": ["da"],
        "capacity": women,
    }
    codes = [f"{prefix}-{number:06d}-XYZ" for number in range(women)]
    names = [f"Kvinde {number}" for number in range(women)]
    with database.transaction(db):
        group_id = groups.create_group(db, fields, schedule, [facilitator], [], facilitator)
        for number, code in enumerate(codes):
            woman = db.execute(
                "INSERT INTO participants (first_name, phone, language, registered_at)"
                " VALUES (?, ?, 'ar', '2026-01-01')",
                [names[number], f"+4530{number:06d}"],
            ).lastrowid
            db.execute(
                "INSERT INTO enrolments (group_id, participant_id, state, since) VALUES (?, ?, 'active', ?)",
                [group_id, woman, "2026-01-01"],
            )
            db.execute(
                "INSERT INTO cards (code_hash, participant_id, issued_at) VALUES (?, ?, '2026-01-01')",
                [hashlib.sha256(code.encode()).hexdigest(), woman],
            )
    (session,) = groups.group_sessions(db, group_id, "2000")
    db.close()
    return session["id"], codes, names


# ---- Part 1: check-ins a second on gunicorn -------------------------------------------------------------


def scan_item(session_id, code):
    now = datetime.now(UTC).isoformat(timespec="seconds")
    data = {"session_id": session_id, "card_code": code, "scanned_at": now}
    return {"id": str(uuid.uuid4()), "kind": "checkin", "recorded_at": now, "data": data}


def scan_round(phones, shares, expected):
    """Each phone scans its share of (session id, card code), one card after the other; return (seconds,
    latencies in ms, errors)."""
    latencies, errors = [], []

    def scan(phone, share):
        for session_id, code in share:
            started = time.perf_counter()
            status, results = phone.send([scan_item(session_id, code)])
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200 or results[0]["status"] != expected:
                errors.append((status, results))

    threads = [threading.Thread(target=scan, args=pair) for pair in zip(phones, shares, strict=True)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors


def p95(values):
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def one_run(args):
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.sqlite")
        session_id, codes, _ = build(path, args.women)
        port = free_port()
        server = start_gunicorn(path, port, args.workers)
        try:
            phones = [Phone(f"http://127.0.0.1:{port}") for _ in range(args.phones)]
            for phone in phones:
                phone.log_in("facilitator")
            n = args.phones
            at_door = [(session_id, code) for code in codes]
            first = scan_round(phones, [at_door[i::n] for i in range(n)], "ok")
            # The same cards again, each scanned by the next phone (all already checked in).
            again = scan_round(phones, [at_door[(i - 1) % n :: n] for i in range(n)], "duplicate")
        finally:
            server.terminate()
            server.wait()
        conn = sqlite3.connect(path)
        rows = conn.execute("SELECT count(*) FROM attendance WHERE session_id = ?", [session_id]).fetchone()[
            0
        ]
        not_once = conn.execute(
            """SELECT count(*) FROM participants p
                WHERE (SELECT count(*) FROM attendance a WHERE a.participant_id = p.id AND a.session_id = ?) != 1""",
            [session_id],
        ).fetchone()[0]
        conn.close()
    assert rows == args.women and not_once == 0, (rows, not_once)
    csrf = sum(phone.csrf_fetches for phone in phones)
    posts = sum(phone.posts for phone in phones)
    refused = sum(phone.csrf_refused for phone in phones)
    assert posts == 2 * args.women + refused, (posts, refused)
    return first, again, rows, csrf, posts, refused


def server_part(args):
    print(
        f"gunicorn {args.workers} sync workers, SQLite WAL, synchronous=FULL; {args.phones} phones (threads on the"
        f" same machine, so client and server share its {args.cores} cores), {args.women:,} women, one POST per scan."
    )
    print("| run | round | check-ins | check-ins/s | p50 | p95 | errors |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    summary, notes = {"first": [], "again": []}, []
    for run in range(1, args.runs + 1):
        first, again, rows, csrf, posts, refused = one_run(args)
        for name, key, (seconds, latencies, errors) in (
            ("first scan of each card", "first", first),
            ("each card again, by another phone", "again", again),
        ):
            rate = len(latencies) / seconds
            summary[key].append(rate)
            print(
                f"| {run} | {name} | {len(latencies):,} | {rate:,.0f} | {statistics.median(latencies):.1f} ms"
                f" | {p95(latencies):.1f} ms | {len(errors)} |"
            )
        notes.append(
            f"Run {run}: {rows:,} attendance rows for {args.women:,} women, each woman exactly once;"
            f" {csrf} CSRF fetches for {args.phones} phone logins, {posts:,} POSTs for {2 * args.women:,} scans,"
            f" {refused} tokens refused."
        )
    print()
    for note in notes:
        print(note)
    for key, name in (("first", "first scans"), ("again", "second scans")):
        rates = ", ".join(f"{rate:,.0f}" for rate in summary[key])
        print(
            f"Check-ins/s, {name}: median of {args.runs} runs {statistics.median(summary[key]):,.0f} ({rates})."
        )


# ---- Part 2: from the camera frame to the name on screen, in Chromium -------------------------------------

BLANK_FRAMES = 4  # a blank start while the page loads and the scanner starts
CARDS = 20  # cards timed per CPU speed, one a second


def cards_video(path, codes):
    """A video at one frame a second: a few blank frames, then each card in turn, then blank paper."""
    frames = [camera_frame()] * BLANK_FRAMES + [camera_frame(code) for code in codes] + [camera_frame()] * 2
    return write_video(path, frames, rate="1:1")


WATCH = """(names) => {
    // Frames as the scanner's video presents them, and each name as it is painted.
    const video = document.querySelector('[data-video]');
    const line = document.querySelector('[data-scan-name]');
    const log = window.benchLog = { frames: [], names: [], nativeDetector: 'BarcodeDetector' in window };
    window.scanner._qrEnginePromise.then((engine) => { log.engine = engine instanceof Worker ? 'worker' : 'native'; });
    const onFrame = (now, meta) => {
        log.frames.push(meta.captureTime || meta.presentationTime);
        video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    const painted = () => new Promise((resolve) => requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve(performance.now());
        channel.port2.postMessage(0);
    }));
    new MutationObserver(() => {
        const name = line.textContent;
        if (!name || !names.includes(name)) return;
        painted().then((at) => log.names.push({ name, at, status: document.querySelector('[data-scan-status]').textContent }));
    }).observe(line, { childList: true, characterData: true, subtree: true });
}"""


def camera_to_screen(slowdown, cores):
    """Times (ms) from each new card's frame to her name painted, at a CPU `slowdown`; and the statuses."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "camera.sqlite")
        _, codes, names = build(path, CARDS, prefix=f"BENCH-CAMERA-{slowdown}X")
        video = cards_video(str(Path(folder) / "cards.y4m"), codes)
        port = free_port()
        server = start_gunicorn(path, port, 2)
        base = f"http://127.0.0.1:{port}"
        args = CHROMIUM_ARGS + [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
                context = browser.new_context(**PHONE, permissions=["camera"], base_url=base)
                log_in_context(context, "facilitator")
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
                page.goto("/da/scan")
                deadline = time.monotonic() + 20
                while not page.evaluate(
                    "Boolean(window.scanner && document.querySelector('[data-video]').srcObject)"
                ):
                    assert time.monotonic() < deadline, "the scanner did not start"
                    page.wait_for_timeout(50)
                page.evaluate(WATCH, names)
                deadline = time.monotonic() + BLANK_FRAMES + CARDS + 30
                while page.evaluate("window.benchLog.names.length") < CARDS and time.monotonic() < deadline:
                    page.wait_for_timeout(250)
                log = page.evaluate("window.benchLog")
                browser.close()
        finally:
            server.terminate()
            server.wait()
    painted = log["names"]
    assert [entry["name"] for entry in painted] == names, ("cards missed or out of order", painted)
    frames = log["frames"]
    assert frames and frames[0] < painted[0]["at"], "the watch started after the first card"
    times = []
    for entry in painted:
        # The card's frame is the last frame presented before her name was painted: a card stays in front of
        # the camera for a second, far longer than any time measured here (else a card would be missed above).
        arrived = max(at for at in frames if at <= entry["at"])
        times.append(entry["at"] - arrived)
    assert log.get("engine") == "worker" and not log["nativeDetector"], log.get("engine")
    return times, {entry["status"] for entry in painted}


def camera_part(cores):
    import subprocess

    version = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"\nFrom a new card's camera frame to her name painted on the scanner page ({version}, headless, 360 px"
        f" phone, qr-scanner's worker, no BarcodeDetector on Linux); {CARDS} cards, each a woman not yet checked in."
    )
    print("| CPU slowed | cards | median | p95 | slowest | first card | shown as |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for slowdown in (1, 6):
        times, statuses = camera_to_screen(slowdown, cores)
        print(
            f"| {slowdown}× | {len(times)} | {statistics.median(times):.0f} ms | {p95(times):.0f} ms"
            f" | {max(times):.0f} ms | {times[0]:.0f} ms | {', '.join(sorted(statuses))} |"
        )


def main():
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--phones", type=int, default=4)
    parser.add_argument("--women", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-camera", action="store_true", help="skip the Chromium part")
    parser.add_argument("--camera-only", action="store_true", help="only the Chromium part")
    args = parser.parse_args()
    args.cores = os.cpu_count()
    print(machine())
    if not args.camera_only:
        server_part(args)
    if not args.no_camera:
        camera_part(args.cores)
    print(f"Load average at the end: {load_now():.1f}.")


if __name__ == "__main__":
    main()
