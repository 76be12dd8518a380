"""The installable app: the root redirect, the offline page, the manifest and the service worker."""

from flask import current_app, g, redirect, render_template, request, url_for

from i18n import current_language, preferred_language

from . import bp
from .manifest import manifest_for
from .offline import offline_page


@bp.route("/")
def root():
    """Send a visitor to the home page in her language (a woman with her own page: to that page)."""
    if request.cookies.get("cal") and not g.user:
        return redirect(url_for("me.page", lang=preferred_language()))
    return redirect(url_for("home.index", lang=preferred_language()))


@bp.route("/<lang:lang>/offline")
@offline_page
def offline():
    """Say plainly that this page is not on the phone and there is no connection."""
    return render_template("pwa/offline.html")


@bp.route("/<lang:lang>/manifest.webmanifest")
def manifest():
    """Describe the installable app with a neutral name and icon."""
    return manifest_for(url_for("home.index", lang=current_language()))


@bp.route("/sw.js")
def service_worker():
    """Serve the service worker from the root so that it controls every page."""
    response = current_app.response_class(
        render_template(
            "pwa/sw.js",
            version=current_app.config["ASSET_VERSION"],
            shell=current_app.config["SHELL_ASSETS"],
            offline_pages=[url_for("pwa.offline", lang=code) for code in current_app.config["LANGUAGES"]],
            languages=current_app.config["LANGUAGES"],
        ),
        mimetype="text/javascript",
    )
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    # The browser checks for a new version on every page; unchanged, it costs a 304 and no body.
    response.add_etag()
    return response.make_conditional(request)
