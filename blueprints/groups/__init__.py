from flask import Blueprint

bp = Blueprint("groups", __name__)

from . import register, routes  # noqa: E402,F401
