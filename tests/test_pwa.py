"""The installable shell: manifest, service worker, offline page."""

import json

import pytest

from .conftest import translated


@pytest.mark.parametrize("lang", ["da", "tr", "ur", "ar"])
def test_manifest_has_a_neutral_name_in_the_users_language(app, client, lang):
    response = client.get(f"/{lang}/manifest.webmanifest")
    manifest = json.loads(response.data)
    assert response.mimetype == "application/manifest+json"
    assert manifest["name"] == translated(app, lang, "Calendar")
    assert manifest["start_url"] == f"/{lang}/"
    assert manifest["id"] == "/"  # one app, whatever language it was installed in
    assert manifest["dir"] == ("rtl" if lang in ("ur", "ar") else "ltr")
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}


def test_service_worker_keeps_the_shell_and_the_offline_pages(client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript"
    for path in ["/static/css/app.css", "/static/js/app.js", "/da/offline", "/ar/offline"]:
        assert path in body


def test_every_shell_file_exists(app, client):
    for url in app.config["SHELL_ASSETS"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("lang", ["da", "tr", "ur", "ar"])
def test_offline_page_is_in_the_users_language_and_may_be_kept(app, client, lang):
    response = client.get(f"/{lang}/offline")
    assert response.headers["X-Offline-Page"] == "1"
    assert translated(app, lang, "No connection") in response.get_data(as_text=True)


def test_pages_with_colleagues_data_are_not_kept_offline(login_as):
    client = login_as("admin")
    assert "X-Offline-Page" not in client.get("/da/admin/users").headers


def test_a_changed_static_file_gets_a_new_url(app):
    from flask import render_template_string

    with app.test_request_context("/da/"):
        url = render_template_string("{{ asset('css/app.css') }}")
    assert url.startswith("/static/css/app.css?v=")


def test_an_unchanged_service_worker_costs_a_304(client):
    etag = client.get("/sw.js").headers["ETag"]
    response = client.get("/sw.js", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
