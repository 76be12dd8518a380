"""Languages: the code in the path, the user's choice, text direction and fonts."""

from datetime import date, datetime

from babel import Locale, dates
from flask import current_app, g, request, url_for
from flask_babel import get_locale, to_user_timezone

LANGUAGES = ("da", "tr", "ur", "ar")
DEFAULT_LANGUAGE = "da"
LANGUAGE_COOKIE = "lang"
# Each language named in itself, for the switch.
LANGUAGE_NAMES = {code: Locale.parse(code).get_display_name(code) for code in LANGUAGES}
LANGUAGE_NAMES["da"] = "Dansk"
LANGUAGE_NAMES["tr"] = "Türkçe"
# Self-hosted fonts, loaded only on the locales that need them.
FONT_STYLESHEETS = {"ar": "css/font-ar.css", "ur": "css/font-ur.css"}
# The font files of each right-to-left language: a staff login's offline kit keeps them.
FONT_FILES = {
    "ar": (
        "vendor/noto-naskh-arabic-5.3.0/noto-naskh-arabic-arabic-400-normal.woff2",
        "vendor/noto-naskh-arabic-5.3.0/noto-naskh-arabic-arabic-700-normal.woff2",
    ),
    "ur": ("vendor/noto-nastaliq-urdu-5.3.0/noto-nastaliq-urdu-arabic-400-normal.woff2",),
}


def format_when(value, kind="datetime"):
    """Format a stored UTC timestamp in Copenhagen time, as the page's language writes it.

    kind: "day" (weekday and date), "date" (short: day and month), "month" (month and year, from "YYYY-MM"),
    "short_month" (the month's short name, from "YYYY-MM"),
    "time" (hours and minutes) or "datetime"; "calendar": a day with its year, from a day without a time
    ("YYYY-MM-DD" or a date), as it is (no time zone to move it across midnight).
    """
    if kind == "calendar":
        return dates.format_date(date.fromisoformat(str(value)[:10]), "medium", locale=get_locale())
    if kind == "month":
        return dates.format_skeleton("yMMMM", datetime.fromisoformat(f"{value}-15"), locale=get_locale())
    if kind == "short_month":
        return dates.format_skeleton("MMM", datetime.fromisoformat(f"{value}-15"), locale=get_locale())
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local, locale = to_user_timezone(value), get_locale()
    if kind == "day":
        return dates.format_date(local, "full", locale=locale)
    if kind == "date":
        return dates.format_skeleton("MMMd", local, locale=locale)
    time = dates.format_time(local, "short", locale=locale)  # hours and minutes: seconds mean nothing here
    if kind == "time":
        return time
    day = dates.format_date(local, "medium", locale=locale)
    return dates.get_datetime_format("medium", locale=locale).replace("{1}", day).replace("{0}", time)


def text_direction(code):
    return Locale.parse(code).text_direction


def current_language():
    """Return the language of this request: the path's, else the user's choice, else the browser's."""
    return g.get("lang") or preferred_language()


def preferred_language():
    """Pick a language for a request without one in its path."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def take_language_from_path(endpoint, values):
    """Move the `lang` part of the URL into g, so views never see it."""
    if values and "lang" in values:
        g.lang = values.pop("lang")


def add_language_to_urls(endpoint, values):
    """Let url_for() keep the current language unless told another."""
    if "lang" in values or not current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        return
    values["lang"] = current_language()


def remember_language(response):
    """Keep the language of the last page seen as the user's choice for `/`."""
    lang = g.get("lang")
    # Only a page she opened herself counts as her choice, not what the service worker fetches.
    opened_by_her = request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"
    if g.get("private_page"):  # a woman's own phone after a poster: leave nothing behind
        return response
    if g.get("language_of_someone_else"):
        return response
    if lang and opened_by_her and request.cookies.get(LANGUAGE_COOKIE) != lang:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=365 * 24 * 3600,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response


def language_links():
    """Return (code, name, url) for each language, pointing at this page in that language."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    usable = (
        endpoint
        and request.url_rule is not None
        and "GET" in request.url_rule.methods
        and current_app.url_map.is_endpoint_expecting(endpoint, "lang")
    )
    links = []
    for code in LANGUAGES:
        if usable:
            url = url_for(endpoint, lang=code, **args)
        else:
            url = url_for("home.index", lang=code)
        links.append((code, LANGUAGE_NAMES[code], url))
    return links


def template_context():
    lang = current_language()
    return {
        "lang": lang,
        "text_dir": text_direction(lang),
        "font_stylesheet": FONT_STYLESHEETS.get(lang),
        "language_links": language_links,
        "language_names": LANGUAGE_NAMES,
        "direction_of": text_direction,
    }
