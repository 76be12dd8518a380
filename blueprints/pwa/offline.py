"""Which pages the service worker may keep on the phone."""

import functools

from flask import make_response

# The service worker stores a page for offline use only when it carries this header,
# so pages with other women's personal data never land in a phone's cache by accident.
OFFLINE_HEADER = "X-Offline-Page"


def offline_page(view):
    """Mark a view's page as one the phone may keep for use without a connection."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        if response.status_code == 200:
            response.headers[OFFLINE_HEADER] = "1"
        return response

    return wrapped
