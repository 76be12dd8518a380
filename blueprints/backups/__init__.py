from flask import Blueprint

# cli_group=None: its commands are `flask --app app backup`, `restore`, `backup-key`.
bp = Blueprint("backups", __name__, cli_group=None)

from . import commands  # noqa: E402,F401
