"""Operators' commands: back the database up while the server serves (cron or a systemd timer), restore a
backup with the server stopped, and make a key to encrypt backups."""

from pathlib import Path

import click
from flask import current_app

from . import bp, files


def backup_settings():
    config = current_app.config
    folder = config.get("BACKUP_FOLDER") or str(Path(current_app.instance_path) / "backups")
    return folder, config.get("BACKUP_KEY") or None, int(config.get("BACKUP_KEEP") or 14)


@bp.cli.command("backup")
@click.argument("folder", required=False)
def backup_command(folder):
    """Write a consistent copy of the database (while the server serves) into FOLDER (default: the
    BACKUP_FOLDER setting, else instance/backups), encrypted when BACKUP_KEY is set; keep the newest
    BACKUP_KEEP (14)."""
    default_folder, key, keep = backup_settings()
    database = Path(current_app.config["DATABASE"])
    if not database.exists():
        raise click.ClickException(f"there is no database at {database}")
    try:
        path = files.make_backup(database, folder or default_folder, key=key, keep=keep)
    except files.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written: {path}")


@bp.cli.command("restore")
@click.argument("backup", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(backup, yes):
    """Put BACKUP in place of the database (stop the server first). Everyone erased since is erased again,
    from the erasure ledger beside the database, before the file is put in place."""
    database = Path(current_app.config["DATABASE"])
    if not yes:
        click.confirm(f"Replace {database} with {backup}? The current file is kept beside it", abort=True)
    try:
        erased = files.restore(backup, database, key=backup_settings()[1])
    except files.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {backup} to {database}; erased again from the ledger: {len(erased)}.")


@bp.cli.command("backup-key")
def backup_key_command():
    """Print a new key for BACKUP_KEY (keep it away from the backups: without it they cannot be read)."""
    click.echo(files.new_key())
