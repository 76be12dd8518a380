"""What a cheap phone downloads: compressed pages and files, hashed files kept for a year, page headers on pages."""

import gzip
import re
from pathlib import Path

import brotli
import pytest


def asset_url(client, name):
    html = client.get("/da/login").get_data(as_text=True)
    return re.search(rf"(/static/{re.escape(name)}\?v=[0-9a-f]+)", html).group(1)


@pytest.mark.parametrize(
    ("accepted", "page_encoding", "file_encoding"),
    [
        ("br", "br", "br"),
        ("gzip, deflate", "gzip", "gzip"),
    ],
)
def test_pages_and_files_go_out_compressed(client, accepted, page_encoding, file_encoding):
    page = client.get("/da/login", headers={"Accept-Encoding": accepted})
    assert page.headers["Content-Encoding"] == page_encoding
    assert "Accept-Encoding" in page.headers["Vary"]
    style = client.get(asset_url(client, "css/app.css"), headers={"Accept-Encoding": accepted})
    assert style.headers["Content-Encoding"] == file_encoding


def test_a_phone_that_asks_for_nothing_gets_plain_text(client):
    page = client.get("/da/login", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in page.headers
    assert "<html" in page.get_data(as_text=True)


def test_hashed_files_are_kept_for_a_year_and_pages_never(client):
    style = client.get(asset_url(client, "css/app.css"))
    assert style.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "ETag" not in style.headers and "Last-Modified" not in style.headers  # nothing to revalidate
    assert client.get("/da/login").headers["Cache-Control"] == "no-store"
    assert "immutable" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")  # no hash


def test_files_carry_no_page_headers(client):
    style = client.get(asset_url(client, "css/app.css"))
    assert "Content-Security-Policy" not in style.headers and "Permissions-Policy" not in style.headers
    assert style.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get("/da/login")
    assert "Content-Security-Policy" in page.headers


def test_our_scripts_and_styles_go_out_minified_and_compressed_at_their_smallest(app, client):
    source = (Path(app.static_folder) / "js/app.js").read_text()
    script = client.get(asset_url(client, "js/app.js"), headers={"Accept-Encoding": "br"})
    assert script.headers["Content-Encoding"] == "br"
    sent = brotli.decompress(script.data).decode()
    assert "//" in source and len(sent) < 0.8 * len(source)  # the comments stay on the disk
    assert "function(" in sent and "\n// " not in sent
    assert len(script.data) <= len(brotli.compress(sent.encode(), quality=11)) + 16
    style = client.get(asset_url(client, "css/app.css"), headers={"Accept-Encoding": "gzip"})
    assert "/*" not in gzip.decompress(style.data).decode()


def test_vendor_files_go_out_as_they_are(app, client):
    htmx = next(Path(app.static_folder).glob("vendor/htmx-*/htmx.min.js"))
    name = htmx.relative_to(app.static_folder).as_posix()
    answer = client.get(f"/static/{name}", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in answer.headers
    assert answer.data == htmx.read_bytes()


def test_a_file_without_its_hash_is_asked_again_and_answered_304_when_unchanged(client):
    first = client.get("/static/js/app.js", headers={"Accept-Encoding": "br"})
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
    again = client.get(
        "/static/js/app.js", headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


def test_fonts_and_missing_files_are_served_from_the_disk(app, client):
    font = next(Path(app.static_folder).glob("vendor/*/*.woff2"))
    answer = client.get(f"/static/{font.relative_to(app.static_folder).as_posix()}")
    assert answer.status_code == 200 and answer.data == font.read_bytes()
    assert client.get("/static/js/nothing.js").status_code == 404
    assert client.get("/static/../app.py").status_code == 404
