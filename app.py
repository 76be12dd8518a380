"""The application factory, its settings and its command-line commands."""

import json
import os
import secrets
import sqlite3
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app, g, redirect, render_template, request, url_for
from flask_babel import Babel
from flask_babel import gettext as _
from flask_compress import Compress
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import AnyConverter, IntegerConverter

import access
import addresses
import choices
import db as database
import i18n
import keys
import static_files
from tokens import sha256_hex

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DATA_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Files every page needs, kept by the service worker when it installs. Staff pages' own scripts come with
# a staff login's offline kit (blueprints/pwa/offline.py): a woman's phone never downloads them.
SHELL_FILES = (
    "css/app.css",
    "js/app.js",
    "icons/icon.svg",
    "icons/icon-192.png",
)

# A busy or full database: how long a phone waits before it sends again.
RETRY_AFTER_SECONDS = 10

csrf = CSRFProtect()
babel = Babel()
compress = Compress()


class LanguageConverter(AnyConverter):
    def __init__(self, url_map):
        super().__init__(url_map, *i18n.LANGUAGES)


class RecordIdConverter(IntegerConverter):
    """A record id in a URL: a positive number SQLite can hold (larger ones are a 404, not a 500)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=2**63 - 1)


def create_app(test_config=None):
    """Create the app; `test_config` overrides settings (tests pass their own database)."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    os.chmod(app.instance_path, 0o700)  # the database, its journal, the key, the backups: the app's user only
    app.config.from_mapping(
        DATABASE=os.path.join(app.instance_path, "app.sqlite"),
        LANGUAGES=i18n.LANGUAGES,
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT_LANGUAGE,
        BABEL_DEFAULT_TIMEZONE="Europe/Copenhagen",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        # A form opened in the morning must still send in the afternoon: the token
        # lives as long as the server-side session it is stored in.
        WTF_CSRF_TIME_LIMIT=None,
        # Pages send no Referer (Referrer-Policy: no-referrer), so over HTTPS Flask-WTF's Referer check would
        # refuse every POST; the token, SameSite=Lax and the __Host- cookie are the protection.
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        # Forms built with Flask-WTF check their own token, so an expired one is shown in the form
        # with what was typed; every other unsafe request is checked in check_csrf().
        WTF_CSRF_CHECK_DEFAULT=False,
        # Behind a reverse proxy, how many proxies set X-Forwarded-For (the login limit counts addresses).
        TRUSTED_PROXIES=0,
        # Texts to the women (sms.py): "http" with a gateway; unset, "file" in debug and tests, else none.
        SMS_SENDER="",
        SMS_FILE="",
        SMS_GATEWAY_URL="",
        SMS_GATEWAY_TOKEN="",
        SMS_FROM="Info",
        # The address women and staff use (https://kalender.ishoj.dk): every link the app writes out is on it,
        # and requests for another host are refused. Required in production (addresses.py).
        PUBLIC_URL="",
        # Pages, styles, scripts and JSON go out compressed (no proxy needed); small answers are not worth it.
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=500,
    )
    if test_config is None:
        app.config.from_prefixed_env()
    else:
        app.config.update(test_config)
    if app.config.get("STATIC_FOLDER"):
        app.static_folder = app.config["STATIC_FOLDER"]  # a release's files served from elsewhere
    keys.load_keys(app)
    # Staff two-factor login: required for admin and coordinator, except in debug and tests (FLASK_REQUIRE_2FA).
    app.config.setdefault("REQUIRE_2FA", not (app.debug or app.testing))
    if isinstance(app.config["REQUIRE_2FA"], str):  # FLASK_REQUIRE_2FA=yes/no/on/off, besides true/false
        app.config["REQUIRE_2FA"] = app.config["REQUIRE_2FA"].strip().lower() in ("1", "true", "yes", "on")

    # A server refuses to start on a missing or damaged database; a command (init-db, demo-data, restore)
    # is what makes or replaces one, so the flask command line opens it only when a command needs it.
    app.config["COMMAND_LINE"] = click.get_current_context(silent=True) is not None
    addresses.check_public_url(app)
    if not app.config["COMMAND_LINE"]:
        database.open_existing(app.config["DATABASE"]).close()
        database.hold_serving_lock(app.config["DATABASE"])  # from the start: no restore under a server

    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["TRUSTED_PROXIES"]))
    app.url_map.converters["lang"] = LanguageConverter
    app.url_map.converters["id"] = RecordIdConverter
    app.url_map.strict_slashes = False
    register_extensions(app)
    register_blueprints(app)
    register_assets(app)
    register_hooks(app)
    register_error_pages(app)
    register_commands(app)
    return app


def register_extensions(app):
    from blueprints.auth.sessions import SqliteSessionInterface

    app.session_interface = SqliteSessionInterface()
    csrf.init_app(app)
    compress.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.current_language,
        default_translation_directories=str(Path(app.root_path) / "translations"),
    )
    app.teardown_appcontext(database.close_db)


def register_blueprints(app):
    from blueprints import (
        admin,
        api,
        auth,
        backups,
        casework,
        checkin,
        groups,
        home,
        me,
        outreach,
        participants,
        privacy,
        pwa,
        reports,
    )

    areas = (auth, home, admin, outreach, groups, checkin, participants, casework, privacy, reports, me)
    for blueprint in (area.bp for area in areas):
        prefix = "/<lang:lang>" + (blueprint.url_prefix or "")
        app.register_blueprint(blueprint, url_prefix=prefix)
    app.register_blueprint(pwa.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(backups.bp)  # commands only
    app.url_value_preprocessor(i18n.take_language_from_path)
    app.url_defaults(i18n.add_language_to_urls)


def register_assets(app):
    """Give each static file a content hash in its URL, so a changed file is never stale."""
    app.view_functions["static"] = static_files.serve_static
    static = Path(app.static_folder)
    digests = {}

    def asset(filename):
        if filename not in digests or app.debug:
            digests[filename] = sha256_hex((static / filename).read_bytes())[:10]
        return url_for("static", filename=filename, v=digests[filename])

    app.jinja_env.globals["asset"] = asset
    app.jinja_env.globals["may_open"] = may_open
    app.jinja_env.globals["keeps_an_outbox"] = lambda: bool(g.user) and access.records_things(g.user)
    app.jinja_env.globals["bring_phrases"] = choices.BRING_PHRASES
    app.jinja_env.globals["cancel_phrases"] = choices.CANCEL_PHRASES
    app.jinja_env.filters["from_json"] = lambda text: json.loads(text or "[]")
    with app.test_request_context(base_url=app.config["PUBLIC_URL"] or None):  # a trusted host
        app.config["SHELL_ASSETS"] = [asset(name) for name in SHELL_FILES]
    # Any changed file makes a new service-worker version, which keeps every login's offline kit anew.
    every_file = sorted(path for path in static.rglob("*") if path.is_file())
    app.config["ASSET_VERSION"] = sha256_hex(
        "".join(f"{path.relative_to(static)}:{sha256_hex(path.read_bytes())}" for path in every_file)
    )[:10]


def may_open(endpoint):
    """For templates: may the logged-in staff member open this endpoint's page?"""
    return bool(g.user) and access.may_open(g.user, current_app.view_functions[endpoint])


def refuse_other_hosts():
    """A request for a host other than the public URL's (a forged Host header): a plain 400, before anything
    (sessions, pages) builds a link on it."""
    if isinstance(request.routing_exception, SecurityError):
        return "Unknown host.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
    return None


def register_hooks(app):
    from blueprints.auth.sessions import load_logged_in_user

    app.before_request(refuse_other_hosts)
    app.before_request(check_csrf)
    app.before_request(load_logged_in_user)
    app.after_request(i18n.remember_language)
    app.after_request(add_security_headers)
    app.context_processor(i18n.template_context)
    app.jinja_env.filters["when"] = i18n.format_when
    app.jinja_env.filters["hide_small"] = hide_small_count


def hide_small_count(count):
    """Show counts of 1 to 4 as "<5", so that a report cannot point at one woman."""
    return "<5" if 0 < count < 5 else str(count)


# Views whose form checks its own CSRF token and shows an expired one inside the form.
FORMS_CHECKING_THEIR_TOKEN = {
    "auth.login",
    "auth.account",
    "auth.login_code",
    "auth.two_factor_setup",
    "auth.new_recovery_codes",
    "auth.two_factor_off",
    "admin.users",
    "admin.reset_password",
    "admin.change_role",
    "reports.programme",
    "reports.add_milestone",
    "outreach.signup_post",
    "outreach.campaigns",
    "outreach.self_signup",
    # A woman's own pages: she has no session to hold a token; they check where the form came from.
    "me.open_link",
    "me.forget",
}


def check_csrf():
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in FORMS_CHECKING_THEIR_TOKEN:
        return
    if request.endpoint is not None:
        csrf.protect()


def add_security_headers(response):
    """Document headers on pages; a long life for static files whose URL names their content."""
    headers = response.headers
    if request.endpoint == "static":
        headers["X-Content-Type-Options"] = "nosniff"
        if request.args.get("v"):  # the content hash in the URL: a changed file gets another URL
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
            # Never asked for again, so nothing to revalidate with: every byte counts on 3G.
            for name in ("ETag", "Last-Modified", "Content-Disposition", "Accept-Ranges"):
                headers.pop(name, None)
        response.direct_passthrough = False  # let it be compressed: our files are small, a phone asks once
        return response
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    if response.mimetype in ("text/html", "text/javascript"):  # documents, and the service worker's script
        policy = CONTENT_SECURITY_POLICY
        if g.get("blob_workers"):
            policy = policy.replace("worker-src 'self'", "worker-src 'self' blob:")
        headers.setdefault("Content-Security-Policy", policy)
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        # The QR scanner needs the camera on staff pages; nothing else gets it.
        camera = "camera=(self)" if g.get("staff_page") else "camera=()"
        headers["Permissions-Policy"] = f"{camera}, microphone=(), geolocation=(), payment=()"
    else:  # data (JSON, the manifest, calendars, downloads): nothing in it may run, and it is never framed
        headers.setdefault("Content-Security-Policy", DATA_SECURITY_POLICY)
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    if response.mimetype == "text/html":
        headers.add("Vary", "HX-Request")
    return response


def register_error_pages(app):
    messages = {
        400: lambda: _("The request could not be understood. Go back and try again."),
        403: lambda: _("You do not have access to this page."),
        404: lambda: _("This page does not exist."),
        405: lambda: _("This page cannot be used that way."),
        409: lambda: _("That cannot be done now."),
        413: lambda: _("What you sent is too large."),
        500: lambda: _("Something went wrong on our side. Try again in a moment."),
    }

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code < 400:  # redirects raised as exceptions (e.g. trailing slashes)
            return error
        if code == 404 and (localised := url_in_users_language(app)):
            # /login, /admin/users…: the same page in her language (307 keeps a POST a POST).
            return redirect(localised, 307)
        message = messages.get(code, messages[400] if code < 500 else messages[500])()
        return render_template("error.html", code=code, message=message), code

    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(500, render_error)

    @app.errorhandler(sqlite3.OperationalError)
    def database_unavailable(error):
        """A long write lock or a full disk: "try again soon", so a phone's outbox sends again later (nothing
        was stored: the transaction rolled back). Any other database error is a fault of ours (500)."""
        if not database.is_unavailable(error):
            raise error
        app.logger.warning("database unavailable: %s", error)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if request.path.startswith("/api/"):
            answer = {
                "error": "unavailable",
                "message": _("The server is busy. What you sent is kept and sent again."),
            }
            return answer, 503, headers
        message = _("The server is busy. Wait a moment and try again.")
        return render_template("error.html", code=503, message=message), 503, headers

    @app.errorhandler(CSRFError)
    def csrf_expired(error):
        if request.path.startswith("/api/"):
            request.get_data()  # read a big batch to its end: answered early, a proxy may see a reset (502)
            return {"error": "csrf", "message": _("Log in again to send.")}, 400
        message = _("This form has expired. Go back, reload the page and send it again.")
        return render_template("error.html", code=400, message=message), 400


def url_in_users_language(app):
    """Return this request's URL under the user's language prefix, if that is a page; else None."""
    first_segment = request.path.lstrip("/").split("/", 1)[0]
    if first_segment in i18n.LANGUAGES:
        return None
    localised = f"/{i18n.preferred_language()}{request.path}"
    try:
        app.url_map.bind("").match(localised, method=request.method)
    except HTTPException:
        return None
    query = request.query_string.decode()
    return localised + (f"?{query}" if query else "")


def register_commands(app):
    import demo
    from blueprints.auth import accounts, two_factor
    from blueprints.auth import queries as staff

    @app.cli.command("rotate-secret-key")
    def rotate_secret_key_command():
        """Make a new secret key; the old one is kept, so existing links, cards and feeds go on working."""
        if os.environ.get("FLASK_SECRET_KEY"):
            new_key = secrets.token_hex(32)
            old_keys = " ".join([*app.config["SECRET_KEY_FALLBACKS"], app.config["SECRET_KEY"]])
            click.echo(
                "The key comes from FLASK_SECRET_KEY. Set these two and restart:\n"
                f"  FLASK_SECRET_KEY={new_key}\n"
                f"  FLASK_SECRET_KEY_FALLBACKS={old_keys}"
            )
            return
        old_id, new_id = keys.rotate_instance_key(Path(app.instance_path))
        click.echo(
            f"New secret key {new_id} in {app.instance_path}; the old key {old_id} is kept for existing links"
            " and cards. Restart the server to use it."
        )

    @app.cli.command("reset-two-factor")
    @click.argument("username")
    def reset_two_factor_command(username):
        """Remove a staff member's second factor (the only administrator lost her phone and codes)."""
        db = database.open_existing(app.config["DATABASE"])
        user = staff.user_by_username(db, username)
        if user is None:
            raise click.ClickException(f"no user {username}")
        two_factor.turn_off(db, user["id"], None)
        click.echo(f"The second factor of {username} is removed; she sets it up again at her next login.")

    @app.cli.command("init-db")
    def init_db_command():
        """Create an empty database with the current schema (an existing one is only brought up to date)."""
        database.migrate(database.connect(app.config["DATABASE"]))
        click.echo(f"Database ready: {app.config['DATABASE']}")

    @app.cli.command("demo-data")
    @click.option("--password", help="Give every demo user this password instead of random ones.")
    def demo_data_command(password):
        """Rebuild the database with the demo programme and print the demo logins."""
        if password is not None and len(password) < accounts.MIN_PASSWORD_LENGTH:
            raise click.BadParameter(
                f"at least {accounts.MIN_PASSWORD_LENGTH} characters", param_hint="--password"
            )
        logins = demo.rebuild(app.config["DATABASE"], password)
        lines = ["Demo logins:"]
        lines += [f"  {username:<12} {secret}" for username, secret in logins.items()]
        logins_file = Path(app.instance_path) / "demo-logins.txt"
        logins_file.write_text("\n".join(lines) + "\n")
        logins_file.chmod(0o600)
        click.echo("\n".join(lines) + f"\n(kept in {logins_file})")

    @app.cli.command("demo-welcome")
    @click.option("--port", default=5000, show_default=True, help="The port the app is about to serve on.")
    def demo_welcome_command(port):
        """Print the demo's logins, where to log in, and a new personal link (a link opens only once)."""
        logins_file = Path(app.instance_path) / "demo-logins.txt"
        base = f"http://127.0.0.1:{port}"
        lines = [logins_file.read_text().rstrip()] if logins_file.exists() else ["No demo logins kept here."]
        lines += [
            f"Log in at {base}/",
            "A woman's own page (Amina's; new at each start, as a link opens once):",
        ]
        token = demo.personal_link(app.config["DATABASE"], "Amina")
        lines += [
            f"  {base}/ar/c/{token}"
            if token
            else "  (Amina is not in this database: `.venv/bin/flask --app app demo-data` rebuilds the demo)"
        ]
        click.echo("\n".join(lines))

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice(accounts.ROLES))
    @click.password_option(help="Asked for twice when not given.")
    def create_user_command(username, role, password):
        """Add a staff account."""
        if len(password) < accounts.MIN_PASSWORD_LENGTH:
            raise click.BadParameter(f"at least {accounts.MIN_PASSWORD_LENGTH} characters")
        with app.test_request_context():  # the reason is a translated sentence
            reason = accounts.refused_password_reason(password, username)
        if reason:
            raise click.BadParameter(reason)
        db = database.open_existing(app.config["DATABASE"])
        try:
            user_id = accounts.create_user(db, username, role, password)
        except accounts.UsernameTaken as error:
            raise click.ClickException(f"the username {username} is taken") from error
        click.echo(f"Created user {user_id} ({role}).")
