"""Random tokens and their SHA-256: the database keeps the hash, never the secret itself."""

import hashlib
import secrets


def sha256_hex(data):
    """Return the SHA-256 of `data` (bytes, or text as UTF-8) as 64 hex digits."""
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def new_token(nbytes=16):
    """Return a URL-safe random token of `nbytes` random bytes (16 bytes: 22 characters, 128 bits)."""
    return secrets.token_urlsafe(nbytes)


# Codes a person types from paper (a poster's link, a blank QR card): small letters and digits without
# look-alikes (no 0/o, 1/l/i), read the same in any case; 12 characters, about 59 bits.
SHORT_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SHORT_LENGTH = 12


def new_short_code():
    """Return a new code to print and type: 12 characters of SHORT_ALPHABET."""
    return "".join(secrets.choice(SHORT_ALPHABET) for _ in range(SHORT_LENGTH))


def typed_short_code(text):
    """A short code as typed (any case, with the printed hyphens or spaces) in its stored form."""
    return "".join(text.split()).replace("-", "").lower()


def is_short_code(code):
    """True when `code` (in its stored form) is one of new_short_code()'s."""
    return len(code) == SHORT_LENGTH and set(code) <= set(SHORT_ALPHABET)


def printed_short_code(code):
    """A short code as printed: in groups of four ("abcd-efgh-jkmn"), easy to read aloud and type.
    Any other code (an older, longer one) is printed as it is."""
    if not is_short_code(code):
        return code
    return "-".join(code[i : i + 4] for i in range(0, SHORT_LENGTH, 4))
