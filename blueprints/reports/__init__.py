"""The programme's results: its settings and milestones, the dashboard, and the half-yearly and final report."""

from flask import Blueprint

# cli_group=None: its command is `flask --app app report`.
bp = Blueprint("reports", __name__, cli_group=None)

from . import commands, routes  # noqa: E402,F401
