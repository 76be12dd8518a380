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


LANGUAGES = ("da", "tr", "ur", "ar")


def test_a_phone_with_no_login_gets_no_offline_kit(client):
    assert client.get("/api/v1/offline-kit").status_code == 401


def test_an_outreach_workers_kit_is_her_offline_pages_in_every_language_and_no_scanner(client, login_as):
    login_as("outreach")
    kit = client.get("/api/v1/offline-kit").get_json()
    for lang in LANGUAGES:
        for page in ("/", "/signup", "/signups/mine", "/consent"):
            assert f"/{lang}{page}" in kit["pages"]
    assert not any(page.endswith("/scan") for page in kit["pages"])
    assert kit["roster"] is False
    assert not any("qr-scanner" in file for file in kit["files"])
    # "No connection" in every language: a first visit's service worker keeps only the language open then.
    assert {f"/{lang}/offline" for lang in LANGUAGES} <= set(kit["files"])


def test_a_facilitators_kit_has_the_scanner_and_its_decoders_worker(client, login_as):
    login_as("facilitator")
    kit = client.get("/api/v1/offline-kit").get_json()
    assert [f"/{lang}/scan" for lang in LANGUAGES] == [
        page for page in kit["pages"] if page.endswith("/scan")
    ]
    assert "/static/vendor/qr-scanner-1.4.2/qr-scanner-worker.min.js" in kit["files"]
    assert kit["roster"] is True


def test_every_kit_page_and_file_is_there_and_may_be_kept(app, client, login_as):
    """The service worker keeps only pages marked for offline use: a kit page without the mark would
    silently be missing in the stairwell."""
    login_as("admin")
    kit = client.get("/api/v1/offline-kit").get_json()
    assert kit["pages"] and kit["files"]
    for page in kit["pages"]:
        response = client.get(page)
        assert response.status_code == 200 and response.headers["X-Offline-Page"] == "1", page
    for file in kit["files"]:
        assert client.get(file).status_code == 200, file


def test_her_own_page_is_never_in_a_staff_kit(client, login_as):
    login_as("admin")
    kit = client.get("/api/v1/offline-kit").get_json()
    assert not any(page.endswith("/c") for page in kit["pages"])


def test_any_changed_static_file_makes_a_new_service_worker_version(tmp_path, app):
    """A staff page's script is not in the install shell: changing it alone must still bring a new version."""
    import shutil

    from app import create_app

    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    (static / "js" / "scanner.js").write_text((static / "js" / "scanner.js").read_text() + "\n// next\n")
    changed = create_app(
        {"DATABASE": app.config["DATABASE"], "SECRET_KEY": "x", "STATIC_FOLDER": str(static), "TESTING": True}
    )
    assert changed.config["ASSET_VERSION"] != app.config["ASSET_VERSION"]
    assert changed.test_client().get("/sw.js").data != app.test_client().get("/sw.js").data


def test_a_page_kept_in_the_background_leaves_her_message_for_the_page_she_sees(app, staff, login_as):
    from .conftest import csrf_token_from

    client = login_as("coordinator")
    client.get("/da/")  # the first page after the login: its own messages are shown
    token = csrf_token_from(client.get("/da/follow-up").get_data(as_text=True))
    with client.session_transaction() as session:
        session["_flashes"] = [("ok", "Attendance saved.")]
    kept = client.get("/ar/my-women", headers={"X-Offline-Kit": "1"}).get_data(as_text=True)
    assert "Attendance saved." not in kept
    seen = client.get("/da/follow-up").get_data(as_text=True)
    assert "Attendance saved." in seen and token
