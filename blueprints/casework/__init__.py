from flask import Blueprint

bp = Blueprint("casework", __name__)

from . import contacts, routes  # noqa: E402,F401
