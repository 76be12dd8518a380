"""Random tokens and their SHA-256: the database keeps the hash, never the secret itself."""

import hashlib
import secrets


def sha256_hex(data):
    """Return the SHA-256 of `data` (bytes, or text as UTF-8) as 64 hex digits."""
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def new_token(nbytes=16):
    """Return a URL-safe random token of `nbytes` random bytes (16 bytes: 22 characters, 128 bits)."""
    return secrets.token_urlsafe(nbytes)
