"""Browser tests: Debian's Chromium driven by Playwright against the app served on localhost."""

import threading
import time as timer
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

import clock
import db as database
import demo
from app import create_app

from .chromium import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: F401 - the tests import them from here

PASSWORD = "browser test pw"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"


def next_tuesday_morning():
    """09:00 in Copenhagen on the coming Tuesday, at most a week from now."""
    now = datetime.now(clock.LOCAL)
    day = now.date() + timedelta(days=(1 - now.weekday()) % 7)
    moment = datetime.combine(day, time(9), tzinfo=clock.LOCAL)
    return moment if moment > now else moment + timedelta(weeks=1)


# The moment the server (and each phone's page) is held at for the whole run, the demo made then: a Tuesday
# at 09:00, so the facilitator's next session is the demo's Tuesday cooking group at 10:00, whatever day and
# hour the suite runs. Not a fixed date: Chromium drops a login cookie whose expiry (that moment + 12 h)
# is past by the machine's own clock, so the moment lies ahead of the real one.
BROWSER_NOW = next_tuesday_morning()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_database(tmp_path_factory):
    database = tmp_path_factory.mktemp("live") / "app.sqlite"
    with clock.fixed(BROWSER_NOW):
        demo.rebuild(str(database), PASSWORD)
    return str(database)


@pytest.fixture(autouse=True)
def server_clock():
    """Hold the app's clock at BROWSER_NOW during each browser test: the live server is a thread of this
    process, so its "now" and "today" are the demo's."""
    with clock.fixed(BROWSER_NOW) as now:
        yield now


class Stalling:
    """Wraps the app: while `seconds` is set, every request hangs that long first (a connection that
    neither answers nor fails, as in a lift or a basement)."""

    def __init__(self, app):
        self.app = app
        self.seconds = 0
        self.paths = []  # every path asked for, in order

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        if self.seconds:
            timer.sleep(self.seconds)
        return self.app(environ, start_response)


def serve(database, port=0, static_folder=None):
    """Start the app on `port` (0: any free one); return (server, base URL). `server.app` can stall, and
    counts what reached it."""
    stalling = Stalling(None)
    server = make_server("127.0.0.1", port, stalling, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"  # the public address: known once the port is
    # Staff log in with a password only here; the second factor's own journey turns it on.
    config = {"DATABASE": database, "SECRET_KEY": "browser-tests", "PUBLIC_URL": base, "REQUIRE_2FA": False}
    if static_folder:
        config["STATIC_FOLDER"] = str(static_folder)
    stalling.app = create_app(config)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


@pytest.fixture(scope="session")
def live(live_database):
    """Serve a demo programme on a free port for the whole session; yield (server, base URL)."""
    server, base = serve(live_database)
    yield server, base
    server.shutdown()


@pytest.fixture(scope="session")
def live_server(live):
    """The base URL of the demo programme served for the whole session."""
    return live[1]


@pytest.fixture
def server_db(live_database):
    """A connection to the live server's database, to check what it stored."""
    connection = database.connect(live_database)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the whole run (a second one cannot start while it runs)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's Chromium is missing at {CHROMIUM}: run 'sudo apt-get install -y chromium'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_phone(browser, **options):
    """A new phone-sized context (options override PHONE) whose pages' clock starts at BROWSER_NOW and runs."""
    context = browser.new_context(**(PHONE | options))
    context.clock.install(time=BROWSER_NOW)
    return context


@pytest.fixture
def context(browser):
    context = new_phone(browser)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def log_in(page, base, role, lang="da"):
    page.goto(f"{base}/{lang}/login")
    page.fill("#username", role)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/{lang}/")


def wait_until(page, expression, timeout=20):
    """Poll a JavaScript expression (a promise is awaited) from here until it is true. Not
    page.wait_for_function: it polls with eval, which the app's CSP refuses, so it works only when its
    first try is already true."""
    deadline = timer.monotonic() + timeout
    while timer.monotonic() < deadline:
        if page.evaluate(expression):
            return
        timer.sleep(0.05)
    raise AssertionError(f"not true after {timeout} s: {expression}")


def wait_for_waiting(page, count):
    """Wait until the page says `count` items wait on the phone (the outbox's count, as shown)."""
    wait_until(page, f"document.querySelector('[data-outbox]').dataset.waiting === '{count}'")


def horizontal_overflow(page):
    """Return how many CSS pixels the page is wider than the screen (0 is right)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def axe_violations(page):
    """Run axe-core inside the page; return 'rule: targets' for each violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(
        """async () => (await axe.run(document)).violations.map(
               v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
    )


BROKEN_WORDS = """() => {
  // Every word of every visible text node, measured in its rendered line boxes: a word whose characters
  // sit on two lines was broken inside (letter by letter in a squeezed table, or mid-word in Arabic).
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, .visually-hidden, [hidden], option, svg")) continue;
    const style = getComputedStyle(parent);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      const word = match[0];
      // A link or code longer than a line may break (that is what break-word is for); a hyphen or a
      // slash is a place where a line may end.
      if (word.length > 24 || /[-\\/\u2010-\u2014]/.test(word)) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + word.length);
      const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
      if (tops.length > 1 && Math.max(...tops) - Math.min(...tops) > lineHeight / 2) {
        broken.push(word + " in <" + parent.tagName.toLowerCase() + ">");
      }
    }
  }
  return broken.slice(0, 10);
}"""


def broken_words(page):
    """Return the words (at most 10) that the page shows broken across two lines."""
    return page.evaluate(BROKEN_WORDS)
