"""Personal links: made by a coordinator, swapped for a cookie on first use, revocable.

Only hashes are stored. The link's token is sent to her once; opening it gives her phone a
second random token in a cookie, so the link can leave the address bar and stop working soon
after. Her calendar feed token and her QR card code are derived from the link with the app's
secret key, so the page can show them again without the database holding them in clear.
"""

import base64
import hashlib
import hmac
import logging
from datetime import datetime, timedelta

from flask import current_app

import clock
import keys
from tokens import new_token, sha256_hex

logger = logging.getLogger(__name__)

# After first use the link still works this long: opened in the text app, then in the browser.
REOPEN_WINDOW = timedelta(minutes=10)
# A link nobody opened stops after this long: a text read weeks later by someone else opens nothing.
UNOPENED_LIFETIME = timedelta(days=14)


def digest(value):
    """Return what the database keeps of a token: its SHA-256."""
    return sha256_hex(value)


def derived(token_hash, purpose, key=None):
    """A 22-character code (132 bits) derived from a link, for `purpose` ("feed" or "card"), with the
    current secret key unless another kept key is given."""
    key = current_app.config["SECRET_KEY"] if key is None else key
    key = key.encode() if isinstance(key, str) else key
    mac = hmac.new(key, f"{purpose}:{token_hash}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:22]


def create_link(db, participant_id, user_id):
    """Make a new personal link for a woman, ending her older ones; return its token (shown once)."""
    revoke_links(db, participant_id)
    token = new_token(16)
    token_hash = digest(token)
    stamp = clock.now_iso()
    db.execute(
        """INSERT INTO personal_links (token_hash, feed_hash, participant_id, created_at, created_by, key_id)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [
            token_hash,
            digest(derived(token_hash, "feed")),
            participant_id,
            stamp,
            user_id,
            keys.key_id(current_app.config["SECRET_KEY"]),
        ],
    )
    db.execute(
        "INSERT INTO cards (code_hash, participant_id, issued_at, link_hash) VALUES (?, ?, ?, ?)",
        [digest(derived(token_hash, "card")), participant_id, stamp, token_hash],
    )
    return token


def link_key(link):
    """The kept secret key that made this link's feed token and card code (after a rotation, an older one)."""
    if link["key_id"] and (key := keys.key_by_id(link["key_id"])):
        return key
    # Made before key ids were stored, or its key is no longer kept: the key whose feed token it stored.
    for key in reversed(keys.all_keys()):
        if digest(derived(link["token_hash"], "feed", key)) == link["feed_hash"]:
            return key
    logger.warning("a personal link's secret key is no longer kept: her card and feed must be made again")
    return None


def feed_token_of(link):
    """Her calendar feed's token, made again from her link with the key that made it (None: key lost)."""
    key = link_key(link)
    return derived(link["token_hash"], "feed", key) if key else None


def card_code_of(link):
    """Her QR card's code, made again from her link with the key that made it (None: key lost)."""
    key = link_key(link)
    return derived(link["token_hash"], "card", key) if key else None


def revoke_links(db, participant_id):
    """End her links, the phones they were opened on, and the card shown on her page."""
    stamp = clock.now_iso()
    db.execute(
        "UPDATE personal_links SET revoked_at = ? WHERE participant_id = ? AND revoked_at IS NULL",
        [stamp, participant_id],
    )
    db.execute(
        """DELETE FROM personal_devices WHERE token_hash IN
             (SELECT token_hash FROM personal_links WHERE participant_id = ?)""",
        [participant_id],
    )
    db.execute(
        """UPDATE cards SET replaced_at = ? WHERE participant_id = ? AND link_hash IS NOT NULL
              AND replaced_at IS NULL""",
        [stamp, participant_id],
    )


def current_link(db, participant_id):
    """Her link that still works, if any (when made, first opened, on how many phones)."""
    return db.execute(
        """SELECT l.created_at, l.first_used_at,
                  (SELECT count(*) FROM personal_devices d WHERE d.token_hash = l.token_hash) AS phones
             FROM personal_links l WHERE l.participant_id = ? AND l.revoked_at IS NULL""",
        [participant_id],
    ).fetchone()


def working_link(db, token):
    """The link row if the link still opens: not stopped, not too old, not used long ago."""
    link = db.execute(
        """SELECT l.token_hash, l.created_at, l.first_used_at, p.language FROM personal_links l
             JOIN participants p ON p.id = l.participant_id
            WHERE l.token_hash = ? AND l.revoked_at IS NULL""",
        [digest(token)],
    ).fetchone()
    if link is None:
        return None
    if link["first_used_at"]:
        return link if clock.now() - datetime.fromisoformat(link["first_used_at"]) <= REOPEN_WINDOW else None
    return link if clock.now() - datetime.fromisoformat(link["created_at"]) <= UNOPENED_LIFETIME else None


def link_works(db, token):
    """True when a link can still be opened (not stopped, not used long ago, not too old)."""
    return working_link(db, token) is not None


def open_link(db, token):
    """Swap a link's token for a device token (for the cookie); None if the link does not work."""
    link = working_link(db, token)
    if link is None:
        return None
    token_hash = link["token_hash"]
    device = new_token(32)
    stamp = clock.now_iso()
    db.execute(
        "INSERT INTO personal_devices (device_hash, token_hash, created_at) VALUES (?, ?, ?)",
        [digest(device), token_hash, stamp],
    )
    db.execute(
        "UPDATE personal_links SET first_used_at = coalesce(first_used_at, ?) WHERE token_hash = ?",
        [stamp, token_hash],
    )
    return device, link["language"]


def link_of_device(db, device_token):
    """The working link and woman behind a phone's cookie, or None."""
    if not device_token or len(device_token) > 100:
        return None
    return db.execute(
        """SELECT l.token_hash, l.feed_hash, l.key_id, l.participant_id, p.language FROM personal_devices d
             JOIN personal_links l ON l.token_hash = d.token_hash
             JOIN participants p ON p.id = l.participant_id
            WHERE d.device_hash = ? AND l.revoked_at IS NULL""",
        [digest(device_token)],
    ).fetchone()


def link_of_feed(db, feed_token):
    """Return the working link a feed token was derived from, or None."""
    if not feed_token or len(feed_token) > 100:
        return None
    return db.execute(
        """SELECT l.token_hash, l.participant_id, p.language FROM personal_links l
             JOIN participants p ON p.id = l.participant_id
            WHERE l.feed_hash = ? AND l.revoked_at IS NULL""",
        [digest(feed_token)],
    ).fetchone()


def forget_device(db, device_token):
    """End one phone's access to her page."""
    db.execute("DELETE FROM personal_devices WHERE device_hash = ?", [digest(device_token)])
