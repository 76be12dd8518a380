"""Check-in: the scanner page, the outbox's "checkin" kind, the roster and the attendance register."""

from flask import Blueprint

bp = Blueprint("checkin", __name__)

from . import routes, scans  # noqa: E402,F401  (scans: the outbox's "checkin" kind)
