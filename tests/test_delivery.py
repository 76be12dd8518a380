"""What a cheap phone downloads: compressed pages and files, hashed files kept for a year, page headers on pages."""

import re

import pytest


def asset_url(client, name):
    html = client.get("/da/login").get_data(as_text=True)
    return re.search(rf"(/static/{re.escape(name)}\?v=[0-9a-f]+)", html).group(1)


@pytest.mark.parametrize(
    ("accepted", "page_encoding", "file_encoding"),
    [
        ("br", "br", "br"),
        ("gzip, deflate", "gzip", "deflate"),  # files are streamed, and the library streams deflate, not gzip
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
