"""Page weight: for each page, the compressed bytes of the HTML, CSS and JS it loads; fonts apart.

Run: .venv/bin/python bench/page_weight.py   (or `make bench`)
Budget: 30 KB (30,720 bytes) without fonts, for every page. Exits 1 if a page is over.
Compression is gzip level 9, what a reverse proxy in front of the app would send.
"""

import gzip
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import demo  # noqa: E402
from app import create_app  # noqa: E402

BUDGET = 30 * 1024
PASSWORD = "bench password"
PAGES = {
    None: ["/{lang}/login", "/{lang}/offline", "/{lang}/j/{code}"],
    "admin": ["/{lang}/", "/{lang}/admin/users", "/{lang}/account", "/{lang}/consent"],
    "coordinator": [
        "/{lang}/",
        "/{lang}/campaigns",
        "/{lang}/campaigns/1",
        "/{lang}/campaigns/1/posters/poster",
        "/{lang}/groups",
        "/{lang}/groups/1?q=a",
        "/{lang}/groups/1/sessions/1",
        "/{lang}/participants/1",
    ],
    "outreach": ["/{lang}/", "/{lang}/signup", "/{lang}/signups/mine"],
    "facilitator": ["/{lang}/", "/{lang}/today", "/{lang}/groups/1/schedule", "/{lang}/scan"],
    # A woman on her own page, after her personal link was swapped for a cookie.
    "woman": ["/{lang}/c"],
}
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
SCRIPT = re.compile(r'<script src="([^"]+)"')
FONT = re.compile(r'url\("?([^")]+\.woff2)"?\)')


def compressed(data):
    return len(gzip.compress(data, compresslevel=9))


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data()


def weigh(client, url):
    """Return (html, css, js, fonts) compressed bytes for one page."""
    html = fetch(client, url)
    text = html.decode()
    css = js = fonts = 0
    for href in STYLESHEET.findall(text):
        sheet = fetch(client, href)
        css += compressed(sheet)
        base = href.split("?")[0].rsplit("/", 1)[0]
        for font in FONT.findall(sheet.decode()):
            fonts += len(fetch(client, f"{base}/{font}"))  # woff2 is compressed already
    for src in SCRIPT.findall(text):
        js += compressed(fetch(client, src))

    return compressed(html), css, js, fonts


def log_in(client, role):
    page = client.get("/da/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/da/login", data={"csrf_token": token, "username": role, "password": PASSWORD})
    assert response.status_code == 302


def main():
    with tempfile.TemporaryDirectory() as folder:
        database = str(Path(folder) / "bench.sqlite")
        demo.rebuild(database, PASSWORD)
        app = create_app({"DATABASE": database, "SECRET_KEY": "bench"})
        with app.app_context():
            from db import get_db

            poster_code = get_db().execute("SELECT code FROM poster_codes LIMIT 1").fetchone()[0]
        rows, worst = [], 0
        for role, urls in PAGES.items():
            client = app.test_client()
            if role == "woman":
                with app.app_context():
                    token = demo.personal_link(database, "Amina")
                assert client.post(f"/ar/c/{token}").status_code == 303
            elif role:
                log_in(client, role)
            for pattern in urls:
                for lang in app.config["LANGUAGES"]:
                    url = pattern.format(lang=lang, code=poster_code)
                    html, css, js, fonts = weigh(client, url)
                    total = html + css + js
                    worst = max(worst, total)
                    rows.append((role or "anonymous", url, html, css, js, total, fonts))
        sw = compressed(fetch(app.test_client(), "/sw.js"))
    print("| who | page | HTML | CSS | JS | total without fonts | fonts (woff2) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for who, url, html, css, js, total, fonts in rows:
        flag = "" if total <= BUDGET else " **over budget**"
        print(f"| {who} | `{url}` | {html:,} | {css:,} | {js:,} | {total:,}{flag} | {fonts:,} |")
    print(f"\nHeaviest page without fonts: {worst:,} bytes = {worst / BUDGET:.0%} of the 30 KB budget.")
    print(f"The service worker (/sw.js), fetched once per version (then 304 with an ETag): {sw:,} bytes.")
    return 0 if worst <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
