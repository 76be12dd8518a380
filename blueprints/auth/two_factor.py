"""Staff two-factor login: a time-based code from an authenticator app (TOTP), or a one-time recovery
code. The rules, each in its own transaction (SQL in queries.py).

A code works once: the time step it belongs to is stored, and an older or the same step is refused, so a
code seen over a shoulder cannot be used again within its 30 seconds.
"""

import hmac

import pyotp

import clock
import tokens
from db import transaction

from . import queries

ISSUER = "Kalender"  # what the authenticator app shows above the code; names no programme or person
RECOVERY_CODES = 10
# A code from the step before or after the server's is accepted: a phone's clock is often 30 s off.
STEPS_OF_DRIFT = 1
CODES_PER_WINDOW = 5  # wrong codes in the login window before she must wait, as for passwords


def is_enabled(user):
    """True when this account has a confirmed second factor."""
    return bool(user["totp_secret"])


def new_secret():
    """A new random TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def printed_secret(secret):
    """The secret in groups of four, to type into an app when the QR code cannot be scanned."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret, username):
    """The otpauth:// address the QR code holds: the app, the username and the secret."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(secret, code, after_step=0):
    """The time step whose code is `code` (within the drift), later than `after_step`; else None."""
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now().timestamp()
    for offset in range(-STEPS_OF_DRIFT, STEPS_OF_DRIFT + 1):
        step = totp.timecode(now) + offset
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes():
    """Ten new one-time codes to write down, each in its printed form (abcd-efgh-jkmn)."""
    return [tokens.printed_short_code(tokens.new_short_code()) for _ in range(RECOVERY_CODES)]


def recovery_hash(code):
    """What the database keeps of a recovery code, however it was typed."""
    return tokens.sha256_hex(tokens.typed_short_code(code))


def enable(db, user_id, secret, code):
    """Turn on her second factor if `code` comes from `secret`; return her recovery codes, or None."""
    step = matching_step(secret, code)
    if step is None:
        return None
    codes = new_recovery_codes()
    with transaction(db):
        if not queries.set_totp(db, user_id, secret, step, clock.now_iso()):
            return None
        queries.replace_recovery_codes(db, user_id, [recovery_hash(c) for c in codes])
        queries.record_event(db, user_id, "user.two_factor_on", f"user:{user_id}")
    return codes


def replace_recovery_codes(db, user_id):
    """Give her ten new recovery codes; the old ones stop working. Return the new ones."""
    codes = new_recovery_codes()
    with transaction(db):
        queries.replace_recovery_codes(db, user_id, [recovery_hash(c) for c in codes])
        queries.record_event(db, user_id, "user.recovery_codes_new", f"user:{user_id}")
    return codes


def check_code(db, user_id, code):
    """Check a second-factor code at login: "app", "recovery" (a recovery code, now used up), or None.

    The step or the recovery code is taken inside one write transaction, so two logins racing with the
    same code cannot both pass."""
    with transaction(db):
        user = queries.user_by_id(db, user_id)
        if user is None or not user["totp_secret"]:
            return None
        step = matching_step(user["totp_secret"], code, after_step=user["totp_last_step"])
        if step is not None:
            queries.update_totp_step(db, user_id, step)
            return "app"
        typed = tokens.typed_short_code(code)
        if tokens.is_short_code(typed) and queries.use_recovery_code(db, user_id, recovery_hash(typed)):
            queries.record_event(db, user_id, "user.recovery_code_used", f"user:{user_id}")
            return "recovery"
    return None


def recovery_codes_left(db, user_id):
    """How many unused recovery codes she has."""
    return queries.unused_recovery_codes(db, user_id)


def turn_off(db, user_id, by_user_id):
    """Remove a second factor (hers, or by an administrator's reset): she sets it up again to use it.

    An administrator's reset also ends her sessions: whoever holds her phone now is logged out."""
    with transaction(db):
        queries.clear_totp(db, user_id)
        if by_user_id != user_id:
            queries.end_sessions(db, user_id)
        action = "user.two_factor_off" if by_user_id == user_id else "user.two_factor_reset"
        queries.record_event(db, by_user_id, action, f"user:{user_id}")


def draft_secret(session):
    """The secret shown while she sets up her app, kept in her session until she confirms it."""
    if not session.get("totp_draft"):
        session["totp_draft"] = new_secret()
    return session["totp_draft"]
