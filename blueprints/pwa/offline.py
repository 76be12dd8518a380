"""Which pages the service worker may keep on the phone, and which it keeps for a staff login."""

import functools

from flask import current_app, make_response, url_for

import access
from i18n import FONT_FILES, LANGUAGES

# The service worker stores a page for offline use only when it carries this header,
# so pages with other women's personal data never land in a phone's cache by accident.
OFFLINE_HEADER = "X-Offline-Page"

# Files a kept page loads later than its HTML names them: the QR decoder's worker (imported by the
# decoder when the phone has no BarcodeDetector) and the fonts her language's stylesheet asks for.
LATER_FILES = {
    "checkin.scanner": ("vendor/qr-scanner-1.4.2/qr-scanner-worker.min.js",),
}


def offline_page(view):
    """Mark a view's page as one the phone may keep for use without a connection."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            response.headers[OFFLINE_HEADER] = "1"
        return response

    wrapped.offline = True
    return wrapped


def offline_kit(user):
    """What a phone keeps for `user` at login and after each update: every offline page her role may open,
    in every language, and the files those pages load later. Her first sign-up or check-in may be in a
    stairwell she walked to straight from the office."""
    views = current_app.view_functions
    endpoints = sorted(
        endpoint
        for endpoint, view in views.items()
        if getattr(view, "offline", False) and access.may_open(user, view)
    )
    pages = [url_for(endpoint, lang=code) for endpoint in endpoints for code in LANGUAGES]
    files = [name for endpoint in endpoints for name in LATER_FILES.get(endpoint, ())]
    files += [name for code in LANGUAGES for name in FONT_FILES.get(code, ())]
    return {
        # Plain URLs: the worker and the fonts are asked for by name, without the content hash.
        "pages": pages,
        "files": [url_for("static", filename=name) for name in files]
        # "No connection" in every language (the same for everyone, kept with the files).
        + [url_for("pwa.offline", lang=code) for code in LANGUAGES],
        "roster": access.may_use_roster(user),
    }
