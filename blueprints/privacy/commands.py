"""Operators' commands: erase a woman, export her data, run the retention rules (cron or a systemd timer).

Each writes to the audit log as the command line (no staff member)."""

import click
from flask import current_app

import audit
import db as database
from db import transaction

from . import bp, erasure, export, queries


def open_database():
    return database.open_existing(current_app.config["DATABASE"])


@bp.cli.command("erase")
@click.argument("participant_id", type=int)
@click.option("--reason", default="erased_by_operator", show_default=True, help="Kept in the erasure ledger.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(participant_id, reason, yes):
    """Erase everything about one woman, now."""
    db = open_database()
    if queries.participant(db, participant_id) is None:
        gone = "was erased" if queries.is_erased(db, participant_id) else "does not exist"
        raise click.ClickException(f"participant {participant_id} {gone}")
    if not yes:
        click.confirm(
            f"Erase everything about participant {participant_id}? This cannot be undone", abort=True
        )
    erasure.erase(db, participant_id, reason[:60], user_id=audit.COMMAND_LINE)
    click.echo(f"Erased participant {participant_id}.")


@bp.cli.command("export")
@click.argument("participant_id", type=int)
@click.option("--format", "kind", type=click.Choice(["json", "html"]), default="json", show_default=True)
@click.option(
    "--lang", type=click.Choice(["da", "tr", "ur", "ar"]), help="The page's language (default: hers)."
)
def export_command(participant_id, kind, lang):
    """Print everything held about one woman (her access request), as JSON or as a printable HTML page."""
    db = open_database()
    row = queries.participant(db, participant_id)
    if row is None:
        raise click.ClickException(f"participant {participant_id} does not exist")
    with transaction(db):
        audit.record(
            db, "participant.export", participant_id, f"command line {kind}", user_id=audit.COMMAND_LINE
        )
        held = queries.everything_about(db, participant_id)
    if kind == "json":
        click.echo(export.document(participant_id, held))
        return
    language = lang or row["language"]
    with current_app.test_request_context(
        f"/{language}/participants/{participant_id}/export", base_url=current_app.config["PUBLIC_URL"] or None
    ):
        current_app.preprocess_request()
        click.echo(export.page(held))


@bp.cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
def retention_command(dry_run):
    """Erase what the retention rules say is due (withdrawals past their grace period, women who never joined
    a group) and log entries older than the log's retention."""
    db = open_database()
    found, audit_rows = erasure.run_retention(db, dry_run=dry_run)
    verb = "Would erase" if dry_run else "Erased"
    for reason, ids in found.items():
        click.echo(f"{verb} {len(ids)} ({reason}): {' '.join(map(str, ids)) or '-'}")
    click.echo(f"{verb} {audit_rows} log entries older than the log's retention.")
