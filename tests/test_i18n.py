"""Language in the path, the choice for `/`, direction, switch and local times."""

import pytest

from .conftest import translated


def test_root_uses_danish_by_default(client):
    assert client.get("/").location == "/da/"


def test_root_follows_the_browser_language(client):
    response = client.get("/", headers={"Accept-Language": "ar-EG,ar;q=0.9,en;q=0.5"})
    assert response.location == "/ar/"


def test_root_prefers_the_users_own_choice_over_the_browser(client):
    client.get("/ur/login")  # she switched to Urdu
    response = client.get("/", headers={"Accept-Language": "tr"})
    assert response.location == "/ur/"


@pytest.mark.parametrize("lang, direction", [("da", "ltr"), ("tr", "ltr"), ("ur", "rtl"), ("ar", "rtl")])
def test_pages_carry_language_and_direction(client, lang, direction):
    html = client.get(f"/{lang}/login").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_fonts_load_only_where_needed(client):
    assert "font-ar.css" in client.get("/ar/login").get_data(as_text=True)
    assert "font-ur.css" in client.get("/ur/login").get_data(as_text=True)
    for lang in ("da", "tr"):
        html = client.get(f"/{lang}/login").get_data(as_text=True)
        assert "font-ar.css" not in html and "font-ur.css" not in html


def test_the_language_switch_names_each_language_in_itself_and_keeps_the_page(login_as):
    client = login_as("coordinator", lang="tr")
    html = client.get("/tr/account").get_data(as_text=True)
    for code, name in [("da", "Dansk"), ("tr", "Türkçe"), ("ur", "اردو"), ("ar", "العربية")]:
        assert f'<a href="/{code}/account" lang="{code}" hreflang="{code}"' in html
        assert f">{name}</a>" in html


@pytest.mark.parametrize("lang", ["da", "tr", "ur", "ar"])
def test_pages_are_in_the_language_of_the_path(app, client, lang):
    html = client.get(f"/{lang}/login").get_data(as_text=True)
    assert translated(app, lang, "Log in") in html


def test_times_are_shown_in_copenhagen_time(app):
    from i18n import format_when

    with app.test_request_context("/da/"):
        # 09:00 UTC is 10:00 in Copenhagen in winter and 11:00 in summer.
        assert format_when("2026-01-13T09:00:00+00:00", "time") == "10.00"
        assert format_when("2026-06-16T09:00:00+00:00", "time") == "11.00"


def test_dates_are_written_per_language(app):
    from flask_babel import force_locale

    from i18n import format_when

    with app.test_request_context("/"):
        with force_locale("da"):
            assert format_when("2026-01-13T09:00:00+00:00", "day").startswith("tirsdag")
        with force_locale("tr"):
            assert "Salı" in format_when("2026-01-13T09:00:00+00:00", "day")
        with force_locale("ar"):
            assert "الثلاثاء" in format_when("2026-01-13T09:00:00+00:00", "day")


def test_a_page_without_language_goes_to_the_users_language(client):
    response = client.get("/login", headers={"Accept-Language": "tr"})
    assert response.status_code == 307
    assert response.location == "/tr/login"
    assert client.get("/admin/users?x=1").location == "/da/admin/users?x=1"


def test_a_login_posted_without_language_keeps_its_method_and_body(client):
    response = client.post("/login", data={"username": "a"})
    assert response.status_code == 307 and response.location == "/da/login"


def test_a_path_that_is_no_page_in_any_language_is_404(client):
    assert client.get("/nothing/here").status_code == 404
    assert client.get("/da/nothing").status_code == 404


def test_pages_fetched_by_the_service_worker_do_not_change_her_language(client):
    client.get("/ur/login")
    client.get("/ar/offline", headers={"Sec-Fetch-Mode": "same-origin"})
    assert client.get("/").location == "/ur/"


def test_showing_the_sign_up_form_in_her_language_keeps_the_workers_own(login_as):
    client = login_as("outreach", lang="da")
    client.get("/da/")
    client.get("/ar/signup")  # the woman reads Arabic
    assert client.get("/").location == "/da/"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("da", "14. jan. 2027 10.05"), ("tr", "14 Oca 2027 10:05"), ("ur", "10:05 AM"), ("ar", "10:05 ص")],
)
def test_times_are_shown_in_hours_and_minutes_without_seconds(app, lang, expected):
    from flask_babel import force_locale

    from i18n import format_when

    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        shown = format_when("2027-01-14T09:05:07+00:00")  # 10:05:07 in Copenhagen
        assert expected in shown
        assert "07" not in shown.replace("2027", "")  # the seconds are gone
        assert format_when("2027-01-14T09:05:07+00:00", "time").replace("\u202f", " ") in (
            "10.05",
            "10:05",
            "10:05 AM",
            "10:05 ص",
        )


def test_the_language_names_font_has_every_letter_of_the_right_to_left_names():
    """The language bar draws "اردو" and "العربية" from a small subset: a missing letter would be drawn
    from another font, breaking the joined letters."""
    from pathlib import Path

    from fontTools.ttLib import TTFont

    import i18n

    subset = Path(__file__).parents[1] / "static/vendor/noto-naskh-arabic-5.3.0/language-names-400.woff2"
    letters = set(TTFont(subset).getBestCmap())
    for code in ("ur", "ar"):
        assert {ord(c) for c in i18n.LANGUAGE_NAMES[code] if not c.isspace()} <= letters, code
