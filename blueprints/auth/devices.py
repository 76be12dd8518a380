"""Known devices: a phone or computer a staff member has logged in on before carries a signed cookie
naming her, so failed logins for her name from elsewhere never slow her down there.

The cookie holds her account id and a fingerprint of her password hash: a new password (after a lost
phone) makes every device unknown again. It holds nothing else and grants nothing by itself: the
password and the second factor are still asked for.
"""

import secrets
from datetime import timedelta

from flask import current_app

import clock
import keys
from tokens import sha256_hex

SALT = "known-device"
LIFETIME = timedelta(days=180)
MOST_ACCOUNTS = 8  # an office computer shared by a team


def cookie_name():
    """__Host- prefixed over HTTPS, like the session cookie: this host only, never over plain HTTP."""
    return "__Host-device" if current_app.config["SESSION_COOKIE_SECURE"] else "device"


def fingerprint(user):
    """Ties the cookie to her current password."""
    return sha256_hex(f"device:{user['password_hash']}")[:16]


def read(request):
    """The cookie's content, {"device": id, "accounts": {user id: fingerprint}}, or an empty one."""
    value = request.cookies.get(cookie_name())
    if value:
        try:
            content = keys.serializer(SALT).loads(value, max_age=LIFETIME.total_seconds())
            if isinstance(content, dict) and isinstance(content.get("accounts"), dict):
                return content
        except Exception:  # forged, too old, or made with a key no longer kept
            pass
    return {"device": None, "accounts": {}}


def known_device(request, user):
    """This device's id if she logged in on it before with her current password, else None."""
    content = read(request)
    if user is not None and content["accounts"].get(str(user["id"])) == fingerprint(user):
        return content["device"]
    return None


def remember(request, response, user):
    """After a full login: this device is known for her (for 180 days from now)."""
    content = read(request)
    accounts = {k: v for k, v in content["accounts"].items() if k != str(user["id"])}
    accounts = dict(list(accounts.items())[-(MOST_ACCOUNTS - 1) :])
    accounts[str(user["id"])] = fingerprint(user)
    value = keys.serializer(SALT).dumps(
        {"device": content["device"] or secrets.token_urlsafe(16), "accounts": accounts}
    )
    response.set_cookie(
        cookie_name(),
        value,
        expires=clock.now() + LIFETIME,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
        path="/",
    )
