"""QR cards: what a card's code looks like, what the server keeps of it, and new cards to print (used by a
woman's record, a group's sheet of cards, sign-ups and check-ins)."""

import re

import clock
from qr import qr_svg
from tokens import new_token, sha256_hex

from . import queries

# What a card holds: an opaque random code (22 characters from new cards; 16 to 64 accepted).
CARD_CODE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def card_hash(code):
    """Return what the server keeps of a QR card's code: its SHA-256."""
    return sha256_hex(code)


def new_cards(db, women):
    """Issue a new card to each woman, in the caller's transaction; return [(first name, QR SVG)] to print.

    The codes themselves are not kept: only their hashes, so a card lost is replaced, never reprinted."""
    stamp = clock.now_iso()
    printed = []
    for woman in women:
        code = new_token(16)
        queries.issue_card(db, woman["id"], card_hash(code), stamp)
        printed.append((woman["first_name"], qr_svg(code)))
    return printed
