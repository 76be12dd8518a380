from flask import Blueprint

# cli_group=None: its commands are `flask --app app erase`, `export`, `retention`.
bp = Blueprint("privacy", __name__, cli_group=None)

from . import commands, routes  # noqa: E402,F401
