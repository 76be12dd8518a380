"""Page weight, measured in Chromium: every byte a page makes the phone download, first and repeat visit.

Run: .venv/bin/python bench/page_weight.py            (or `make bench`)
     .venv/bin/python bench/page_weight.py --detail /da/scan --role facilitator   (every response of one page)

Each page (every role, all four languages) opens in a fresh browser context of Debian's Chromium (360 px
phone, camera allowed with Chromium's fake camera, so the scanner runs as at the door). The script sums
`encodedDataLength` of every response the page causes (CDP `Network.loadingFinished`, response headers
included), on the page's own target and on the targets it starts: the service worker (its script and
everything its install fetches) and dedicated workers (qr-scanner's). Responses a service worker answered
are counted once, where they came from the network. It waits for `navigator.serviceWorker.ready` and for
no request to be in flight for 0.7 s. The manifest, which headless Chromium fetches only when asked (a
phone's browser asks on every page, to offer installing the app), is asked for with `Page.getAppManifest`.
Then it reloads the page in the same context: the repeat visit.

The app compresses its own responses (Flask-Compress: brotli for Chromium, which asks for it; answers under
500 bytes as they are); it is served here by Werkzeug as it is, with nothing in front.

Budget: every page's first visit ≤ 30 KB (30,720 bytes) without fonts. Exits 1 when a page is over.
Staff pages are opened logged in (the login is posted through the context's HTTP client, so no page is
visited before the one measured); her own page after her personal link was swapped for a cookie.
"""

import argparse
import json
import logging
import re
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # the app's modules first: nothing here shadows them

from loadgen import CHROMIUM, CHROMIUM_ARGS, PASSWORD, PHONE, load_now, log_in_context, machine  # noqa: E402

import demo  # noqa: E402
from app import create_app  # noqa: E402

BUDGET = 30 * 1024
QUIET = 0.7  # seconds without a request in flight: the page is done
PAGES = {
    None: ["/{lang}/login", "/{lang}/offline", "/{lang}/j/{code}"],
    "admin": ["/{lang}/", "/{lang}/admin/users", "/{lang}/account", "/{lang}/consent"],
    "coordinator": [
        "/{lang}/",
        "/{lang}/campaigns",
        "/{lang}/campaigns/1",
        "/{lang}/campaigns/1/posters/poster",
        "/{lang}/groups",
        "/{lang}/groups/1",
        "/{lang}/groups/1/sessions/1",
        "/{lang}/participants/1",
        "/{lang}/calls",
        "/{lang}/my-women",
        "/{lang}/participants/1/progress",
    ],
    "outreach": ["/{lang}/", "/{lang}/signup", "/{lang}/signups/mine"],
    "facilitator": ["/{lang}/", "/{lang}/today", "/{lang}/groups/1/schedule", "/{lang}/scan"],
    # A woman on her own page, after her personal link was swapped for a cookie.
    "woman": ["/{lang}/c"],
}
LANGUAGES = ("da", "tr", "ur", "ar")

# ---- Counting what Chromium downloads ------------------------------------------------------------------


class Meter:
    """Listen to CDP Network events of a page and of every worker it starts; count bytes per response."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.requests = {}  # (target, request id) -> what came back and how many bytes
        self.inflight = set()
        self.targets = {}  # session id -> target type ("service_worker", "worker")
        self.cdp.on("Target.attachedToTarget", self.attached)
        self.cdp.on("Target.receivedMessageFromTarget", self.message)
        for method, handler in self.HANDLERS.items():
            self.cdp.on(method, lambda params, handler=handler: handler(self, "page", params))
        self.cdp.send("Network.enable")
        # Workers (the service worker, qr-scanner's) wait for us: Network is on before their first request.
        self.cdp.send(
            "Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False}
        )

    def attached(self, params):
        session = params["sessionId"]
        self.targets[session] = params["targetInfo"]["type"]
        for number, method in enumerate(("Network.enable", "Runtime.runIfWaitingForDebugger")):
            message = json.dumps({"id": number + 1, "method": method})
            self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})

    def message(self, params):
        event = json.loads(params["message"])
        handler = self.HANDLERS.get(event.get("method"))
        if handler:
            handler(self, params["sessionId"], event["params"])

    def entry(self, target, params):
        return self.requests.setdefault(
            (target, params["requestId"]),
            {
                "target": target,
                "url": "",
                "mime": "",
                "status": 0,
                "bytes": 0,
                "headers": 0,
                "from_worker": False,
            },
        )

    def sent(self, target, params):
        self.entry(target, params)["url"] = params["request"]["url"]
        self.inflight.add((target, params["requestId"]))

    def received(self, target, params):
        entry, response = self.entry(target, params), params["response"]
        entry.update(url=response["url"], mime=response.get("mimeType", ""), status=response.get("status", 0))
        entry["from_worker"] = bool(response.get("fromServiceWorker"))

    def extra(self, target, params):
        self.entry(target, params)["headers"] = len((params.get("headersText") or "").encode())

    def finished(self, target, params):
        self.entry(target, params)["bytes"] = max(0, int(params.get("encodedDataLength", 0)))
        self.inflight.discard((target, params["requestId"]))

    def failed(self, target, params):
        self.inflight.discard((target, params["requestId"]))

    HANDLERS = {
        "Network.requestWillBeSent": sent,
        "Network.responseReceived": received,
        "Network.responseReceivedExtraInfo": extra,
        "Network.loadingFinished": finished,
        "Network.loadingFailed": failed,
    }

    def wait_quiet(self, page, limit=20.0):
        quiet = waited = 0.0
        while quiet < QUIET and waited < limit:
            page.wait_for_timeout(100)  # lets Playwright deliver the events meanwhile
            waited += 0.1
            quiet = 0.0 if self.inflight else quiet + 0.1

    def reset(self):
        self.requests, self.inflight = {}, set()

    def where(self, entry):
        if entry["target"] == "page":
            where = "page"
        elif entry["target"] == "server":
            where = "service worker's script" if is_service_worker(entry) else "not seen by Chromium"
        else:
            where = self.targets.get(entry["target"], "worker").replace("_", " ")
        return where + (
            " (the server's count)" if entry.get("by_server") or entry["target"] == "server" else ""
        )

    def responses(self):
        """What came over the network: what Chromium reported (not what a service worker answered from its
        cache, counted where it came from), plus what only the server saw. Chromium reports a service
        worker's own script to no target (or only its end, when the worker is attached while the script
        loads); the server's count of the bytes it wrote stands in for it. Where both saw a response,
        both counts are equal (`--detail` shows them side by side)."""
        seen = [e for e in self.requests.values() if e["url"].startswith("http") and not e["from_worker"]]
        unmatched = list(SERVED)
        paths = {id(entry): re.sub(r"^https?://[^/]+", "", entry["url"]) for entry in seen}
        rest = []
        for entry in seen:  # first the responses both saw whole (same path, same bytes)
            match = next(
                (row for row in unmatched if row[0] == paths[id(entry)] and row[3] == entry["bytes"]), None
            )
            if match:
                unmatched.remove(match)
                entry["server_bytes"] = match[3]
            else:
                rest.append(entry)
        for entry in rest:  # then those Chromium saw only in part (attached while they loaded)
            match = next((row for row in unmatched if row[0] == paths[id(entry)]), None)
            if match:
                unmatched.remove(match)
                entry["server_bytes"] = match[3]
                if entry["bytes"] < match[3]:
                    entry.update(status=match[1], headers=match[2], bytes=match[3], by_server=True)
        extra = [
            {"target": "server", "url": path, "mime": "", "status": status, "bytes": total, "headers": head}
            for path, status, head, total in unmatched
        ]
        return seen + extra


def is_font(entry):
    return entry["mime"].startswith("font/") or entry["url"].split("?")[0].endswith((".woff2", ".woff"))


def is_service_worker(entry):
    return entry["target"] not in ("page", "server") or entry["url"].split("?")[0].endswith("/sw.js")


def visit(page, meter, go):
    """Load the page (`go`), let its service worker get ready and the network fall quiet."""
    SERVED.clear()
    go()
    if page.evaluate("Boolean(document.querySelector('script[src*=\"/static/js/app.js\"]'))"):
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if page.evaluate("Boolean(document.querySelector('link[rel=manifest]'))"):
        meter.cdp.send("Page.getAppManifest")
    meter.wait_quiet(page)
    return meter.responses()


KIT_PAGES = set()  # the paths of every staff offline kit (pages and files, and the kit itself)


OWN_FILES = set()  # the /static/ files the page being weighed names in its HTML


def is_kit(entry):
    """Part of the login's offline kit, fetched by the service worker once per login (and per deploy):
    its pages, and the files those pages name that this page does not. Counted apart: it is not this
    page's weight."""
    if not is_service_worker(entry):
        return False
    url = urlsplit(entry["url"])
    if url.path in KIT_PAGES:
        return True
    file = url.path + ("?" + url.query if url.query else "")
    return bool(KIT_PAGES) and url.path.startswith("/static/") and file not in OWN_FILES


def totals(responses):
    """Return (page and its workers, service worker, headers, fonts, kit) in bytes; fonts and the offline
    kit's pages apart from the rest."""
    kit = sum(entry["bytes"] for entry in responses if is_kit(entry) and not is_font(entry))
    rest = [entry for entry in responses if not is_font(entry) and not is_kit(entry)]
    own = sum(entry["bytes"] for entry in rest if not is_service_worker(entry))
    worker = sum(entry["bytes"] for entry in rest if is_service_worker(entry))
    headers = sum(entry["headers"] for entry in rest)
    fonts = sum(entry["bytes"] for entry in responses if is_font(entry))
    return own, worker, headers, fonts, kit


# ---- The pages ------------------------------------------------------------------------------------------


def new_context(browser, base, role, database, app):
    context = browser.new_context(**PHONE, permissions=["camera"], base_url=base)
    if role == "woman":
        with app.app_context():
            token = demo.personal_link(database, "Amina")
        assert context.request.post(f"/ar/c/{token}", max_redirects=0).status == 303
    elif role:
        log_in_context(context, role)
    return context


def answered(url, response):
    """A page that is not there is not weighed: stop and say which."""
    if response is None or response.status != 200:
        raise SystemExit(f"{url} answered {response and response.status}: not weighing an error page")


def measure(browser, base, role, url, database, app):
    context = new_context(browser, base, role, database, app)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        meter = Meter(context, page)
        KIT_PAGES.clear()
        if role and role != "woman":
            kit = context.request.get("/api/v1/offline-kit").json()
            KIT_PAGES.update(kit["pages"] + ["/api/v1/offline-kit", "/offline-kit-kept"])
            # "No connection" in the other languages comes with the kit; the page's own, at install.
            own_offline = url.split("/")[1] + "/offline"
            KIT_PAGES.update(path for path in kit["files"] if not path.endswith(own_offline))
        first = visit(page, meter, lambda: answered(url, page.goto(url)))
        assert page.evaluate("document.readyState") == "complete"
        OWN_FILES.clear()
        OWN_FILES.update(
            match.replace("&amp;", "&")
            for match in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.content())
        )
        meter.reset()
        repeat = visit(page, meter, lambda: answered(url, page.reload()))
        return first, repeat, meter
    finally:
        context.close()


SERVED = []  # (path, status, header bytes, total bytes) of every response the server wrote


class CountingWriter:
    def __init__(self, raw):
        self.raw, self.writes = raw, []

    def write(self, data):
        self.writes.append(len(data))
        return self.raw.write(data)

    def __getattr__(self, name):
        return getattr(self.raw, name)


def serve(app):
    """Serve the app as it is; count the bytes written for each response (one per
    connection: Werkzeug closes each after one response; its first write is the status line and headers)."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Counting(WSGIRequestHandler):
        def setup(self):
            super().setup()
            self.wfile = CountingWriter(self.wfile)

        def finish(self):
            writes = self.wfile.writes
            if writes and getattr(self, "path", None):
                status = getattr(self, "counted_status", 0)
                SERVED.append((self.path, status, writes[0], sum(writes)))
            super().finish()

        def send_response(self, code, message=None):
            self.counted_status = code
            super().send_response(code, message)

        def log_request(self, *args, **kwargs):
            pass

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detail", help="list every response of this page (e.g. /da/scan)")
    parser.add_argument(
        "--role", help="with --detail: who opens it (admin, coordinator, outreach, facilitator, woman)"
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.sqlite")
        demo.rebuild(database, PASSWORD)
        app = create_app(
            {
                "DATABASE": database,
                "SECRET_KEY": "bench",
                "PUBLIC_URL": "http://127.0.0.1",
                "REQUIRE_2FA": False,
            }
        )
        with app.app_context():
            from db import get_db

            poster_code = get_db().execute("SELECT code FROM poster_codes LIMIT 1").fetchone()[0]
        server, base = serve(app)
        app.config["PUBLIC_URL"] = base  # the port is known now
        camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + camera)
            print(
                f"Chromium {browser.version}, headless, 360 px phone; served by Werkzeug, compressed by the app itself."
            )
            try:
                if args.detail:
                    return detail(
                        browser, base, args.role, args.detail.format(code=poster_code), database, app
                    )
                rows = []
                for role, patterns in PAGES.items():
                    for pattern in patterns:
                        for lang in LANGUAGES:
                            url = pattern.format(lang=lang, code=poster_code)
                            first, repeat, _ = measure(browser, base, role, url, database, app)
                            rows.append((role or "anonymous", url, len(first), totals(first), totals(repeat)))
            finally:
                browser.close()
                server.shutdown()
    return report(rows)


def detail(browser, base, role, url, database, app):
    first, repeat, meter = measure(browser, base, role, url, database, app)
    for name, responses in (("First visit", first), ("Repeat visit (reload)", repeat)):
        print(f"\n{name} of `{url}` as {role or 'anonymous'}:")
        print("| from | response | status | type | headers | bytes | the server wrote |")
        print("|---|---|---:|---|---:|---:|---:|")
        for entry in sorted(responses, key=lambda e: (is_service_worker(e), -e["bytes"])):
            path = re.sub(r"^https?://[^/]+", "", entry["url"])
            wrote = entry.get("server_bytes", entry["bytes"] if entry["target"] == "server" else "")
            print(
                f"| {meter.where(entry)} | `{path}` | {entry['status']} | {entry['mime']} | {entry['headers']:,}"
                f" | {entry['bytes']:,} | {wrote:,} |"
                if wrote != ""
                else f"| {meter.where(entry)} | `{path}` | {entry['status']} | {entry['mime']} | {entry['headers']:,}"
                f" | {entry['bytes']:,} | |"
            )
        own, worker, headers, fonts, _kit = totals(responses)
        print(
            f"\nPage and its workers {own:,} + service worker and its install {worker:,} = **{own + worker:,}**"
            f" bytes without fonts (response headers {headers:,} of them); fonts {fonts:,}."
        )
    return 0


def report(rows):
    print("\nBytes as downloaded: as the app compressed them, response headers included (encodedDataLength).")
    print(
        "| who | page | responses | page and its workers | service worker and its install"
        " | **first visit without fonts** | of which headers | fonts | offline kit (once per login)"
        " | repeat visit without fonts |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    over = []
    for who, url, count, (own, worker, headers, fonts, kit), (again_own, again_worker, *_) in rows:
        total = own + worker
        if total > BUDGET:
            over.append(url)
        flag = " over" if total > BUDGET else ""
        print(
            f"| {who} | `{url}` | {count} | {own:,} | {worker:,} | **{total:,}**{flag} | {headers:,} | {fonts:,}"
            f" | {kit:,} | {again_own + again_worker:,} |"
        )
    heaviest = max(rows, key=lambda row: row[3][0] + row[3][1])
    lightest = min(rows, key=lambda row: row[3][0] + row[3][1])
    for name, row in (("Heaviest", heaviest), ("Lightest", lightest)):
        total = row[3][0] + row[3][1]
        print(
            f"{name} first visit without fonts: {row[0]} `{row[1]}`, {total:,} bytes = {total / BUDGET:.0%} of 30,720."
        )
    print(
        f"Pages over the 30 KB budget: {len(over)} of {len(rows)}. Load average at the end: {load_now():.1f}."
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
