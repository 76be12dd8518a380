"""The addresses the app writes out, to a woman's phone (her personal link in a text, her calendar feed) or
on paper (a poster's QR code and short link): always on the public base URL (FLASK_PUBLIC_URL), never on
the Host header of the request that made them, which anyone can forge."""

from urllib.parse import urlsplit

from flask import current_app, request, url_for


class NoPublicUrl(RuntimeError):
    """A server in production without FLASK_PUBLIC_URL: its links would carry a forged Host."""


def check_public_url(app):
    """Read FLASK_PUBLIC_URL: only requests for its host are answered (Flask's TRUSTED_HOSTS). Without it a
    production server does not start; development and tests use the request's own host."""
    base = app.config.get("PUBLIC_URL") or ""
    if not base:
        if not (app.debug or app.testing or app.config.get("COMMAND_LINE")):
            raise NoPublicUrl(
                "Set FLASK_PUBLIC_URL to the address women and staff use, e.g. https://kalender.ishoj.dk"
            )
        return
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise NoPublicUrl(
            f"FLASK_PUBLIC_URL must be a scheme and a host, like https://kalender.ishoj.dk, not {base!r}"
        )
    app.config["PUBLIC_URL"] = f"{parts.scheme}://{parts.netloc}"
    if parts.scheme == "https":
        # Over HTTPS every cookie is Secure, and the login's is __Host-: only this host, over HTTPS, on /.
        app.config["SESSION_COOKIE_SECURE"] = True
        if app.config["SESSION_COOKIE_NAME"] == "session":
            app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    app.config.setdefault("TRUSTED_HOSTS", None)
    if not app.config["TRUSTED_HOSTS"]:
        app.config["TRUSTED_HOSTS"] = [parts.hostname]


def external_url(endpoint, **values):
    """A full address of one of the app's pages, for a text, a QR code or a calendar."""
    base = current_app.config.get("PUBLIC_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def public_host():
    """The host (and port) as a poster prints it."""
    base = current_app.config.get("PUBLIC_URL")
    return urlsplit(base).netloc if base else request.host
