"""The web app manifest: a neutral name and icon, in the page's language (staff app and her own page)."""

from flask import current_app, url_for
from flask_babel import gettext as _

from i18n import current_language, text_direction


def manifest_for(start_url):
    """Return the manifest response for an app that opens at `start_url`."""
    lang = current_language()
    body = {
        "name": _("Calendar"),
        "short_name": _("Calendar"),
        "id": "/",
        "lang": lang,
        "dir": text_direction(lang),
        "start_url": start_url,
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d5c57",
        "icons": [
            {
                "src": url_for("static", filename=f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ]
        + [{"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    return response
