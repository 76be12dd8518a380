"""The app's secret keys: the current one signs and derives everything new; older ones, kept after a
rotation, still check what they made (a woman's feed link and card, a known device, a sign-up form).

A key's id is a short hash of the key, so it can be stored beside what the key made without revealing it.
"""

import os
import secrets
from pathlib import Path

from flask import current_app
from itsdangerous import URLSafeTimedSerializer

from tokens import sha256_hex

KEY_FILE = "secret_key"
OLD_KEYS_FILE = "secret_key.old"  # one older key per line, newest last


def key_id(key):
    """A short id for a key (8 hex digits of a hash): stored with a link, it names the key that made it."""
    return sha256_hex(f"key-id:{key}")[:8]


def all_keys(app=None):
    """Every key that still checks, oldest first and the current one last (itsdangerous's order)."""
    app = app or current_app
    return [*app.config.get("SECRET_KEY_FALLBACKS", []), app.config["SECRET_KEY"]]


def key_by_id(wanted):
    """The kept key with this id, or None."""
    return next((key for key in all_keys() if key_id(key) == wanted), None)


def serializer(salt):
    """A signer of small data with the current key that also accepts what older kept keys signed."""
    return URLSafeTimedSerializer(all_keys(), salt=salt)


def load_keys(app):
    """Set SECRET_KEY and SECRET_KEY_FALLBACKS from the settings, else from the instance folder."""
    fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str):
        fallbacks = [key for key in fallbacks.split() if key]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_key(Path(app.instance_path))
        fallbacks = [*instance_old_keys(Path(app.instance_path)), *fallbacks]
    app.config["SECRET_KEY_FALLBACKS"] = [key for key in fallbacks if key != app.config["SECRET_KEY"]]


def instance_old_keys(folder):
    """The older keys kept in the instance folder by `rotate-secret-key`."""
    path = folder / OLD_KEYS_FILE
    return [line.strip() for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def instance_key(folder):
    """Read the secret key kept in the instance folder; the first worker to start makes it."""
    path = folder / KEY_FILE
    if not path.exists():
        # Written whole under another name, then linked into place: no worker can read a half-written
        # key, and the link fails if another worker's key got there first (that one is kept).
        draft = write_private(folder, secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if not key:
        raise RuntimeError(f"{path} is empty: delete it to make a new key")
    return key


def write_private(folder, text):
    """Write `text` to a new file readable by the app's user only, synced to disk; return its path."""
    draft = folder / f".secret_key.{secrets.token_hex(8)}"
    descriptor = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    return draft


def rotate_instance_key(folder):
    """Make a new current key in the instance folder and keep the old one; return (old id, new id).

    The old key is written to the old keys first: whatever moment a crash comes, no key is lost."""
    old = instance_key(folder)
    kept = instance_old_keys(folder)
    if old not in kept:
        os.replace(write_private(folder, "".join(f"{key}\n" for key in [*kept, old])), folder / OLD_KEYS_FILE)
    new = secrets.token_hex(32)
    os.replace(write_private(folder, new), folder / KEY_FILE)
    return key_id(old), key_id(new)
