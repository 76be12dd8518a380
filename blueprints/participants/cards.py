"""New QR cards to print: used by a woman's record and by a group's sheet of cards."""

import clock
from qr import qr_svg
from tokens import new_token, sha256_hex

from . import queries


def new_cards(db, women):
    """Issue a new card to each woman, in the caller's transaction; return [(first name, QR SVG)] to print.

    The codes themselves are not kept: only their hashes, so a card lost is replaced, never reprinted."""
    stamp = clock.now_iso()
    printed = []
    for woman in women:
        code = new_token(16)
        queries.issue_card(db, woman["id"], sha256_hex(code), stamp)
        printed.append((woman["first_name"], qr_svg(code)))
    return printed
