"""QR cards: what a card's code looks like, what the server keeps of it, and new cards to print (used by a
woman's record, a group's sheet of cards, sign-ups and check-ins)."""

import re

import clock
from qr import qr_svg
from tokens import is_short_code, new_short_code, new_token, printed_short_code, sha256_hex, typed_short_code

from . import queries

# What a card holds: an opaque random code (22 characters on a woman's card; 12 small letters and digits on a
# blank card, typed from its print at sign-up; 12 to 64 accepted).
CARD_CODE = re.compile(r"^[A-Za-z0-9_-]{12,64}$")
BLANK_CARDS_PER_SHEET = 8


def typed_card_code(text):
    """A card's code as the sign-up form got it: a blank card's printed code typed in any case, with its
    hyphens or spaces, is read as its QR code holds it; any other code stays as it is."""
    compact = typed_short_code(text)
    return compact if is_short_code(compact) else text


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


def blank_cards(count=BLANK_CARDS_PER_SHEET):
    """Cards nobody holds yet, to hand out at the door: [(printed code, QR SVG)]. Nothing is stored: a card
    becomes hers when its code is typed into her sign-up (only its hash is kept then)."""
    codes = [new_short_code() for _ in range(count)]
    return [(printed_short_code(code), qr_svg(code)) for code in codes]
