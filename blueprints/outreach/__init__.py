from flask import Blueprint

bp = Blueprint("outreach", __name__)

from . import routes, signups  # noqa: E402,F401  (signups: the outbox's "signup" kind)
