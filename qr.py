"""QR codes as inline SVG: one path, no image library, nothing but the text given."""

import re

import qrcode
from markupsafe import Markup
from qrcode.image.svg import SvgPathImage


def qr_svg(text):
    """Return an inline SVG QR code that scales with its container."""
    image = qrcode.make(text, image_factory=SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return Markup(re.sub(r' (width|height)="[^"]*"', "", svg, count=2))
