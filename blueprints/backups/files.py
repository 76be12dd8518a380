"""Backups and restores of the programme's database file, safe while the server serves.

A backup is `VACUUM INTO` a new file: one consistent moment, even with writers busy, and without the free
pages (an erased woman's deleted rows are not carried into it). It is written 0600 in a 0700 folder,
optionally encrypted (AES-256-GCM in 1 MiB chunks, each bound to its place and to the end of the file, so a
cut or reordered file is refused), and only the newest N are kept.

A restore never copies over a database in use: it refuses while a server holds the database's lock file,
checks the backup (integrity, a schema this version knows), brings it to the current schema, erases again
everyone in the erasure ledger beside the database, and only then moves it into place (a rename), with the
old `-wal` and `-shm` removed and the file it replaces kept aside.
"""

import base64
import contextlib
import fcntl
import os
import secrets
import sqlite3
import struct
from pathlib import Path

import sqlite_utils

import clock
import db as database

from ..privacy import erasure
from ..privacy import ledger as erasure_ledger

MAGIC = b"KALENDER-BACKUP-1\n"
CHUNK = 1024 * 1024
NAME = "backup-{moment}.sqlite"


class BackupError(Exception):
    """A backup or restore that cannot be done; its message says why, for the operator."""


# ---- The server's lock ------------------------------------------------------------------------------------


@contextlib.contextmanager
def exclusive_lock(database_path):
    """The database to ourselves, or BackupError when a server has it open (each serving process holds a
    shared lock on the same file: db.hold_serving_lock)."""
    descriptor = os.open(f"{database_path}{database.LOCK_SUFFIX}", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                "a server has the database open: stop it (systemctl stop kalender) and run the restore again"
            ) from None
        yield
    finally:
        os.close(descriptor)


# ---- Encryption -------------------------------------------------------------------------------------------


def new_key():
    """A key for BACKUP_KEY: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def cipher(key):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(key)
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise BackupError(
            "BACKUP_KEY must be 32 bytes in URL-safe base64 (flask --app app backup-key makes one)"
        )
    return AESGCM(raw)


def encrypt_file(source, target, key):
    aead = cipher(key)
    prefix = secrets.token_bytes(8)
    size = source.stat().st_size
    count = max(1, -(-size // CHUNK))
    with open(source, "rb") as plain, open(target, "wb") as sealed:
        sealed.write(MAGIC + prefix + struct.pack(">Q", count))
        for index in range(count):
            nonce = prefix + struct.pack(">I", index)
            bound = struct.pack(">QQ", index, count)  # its place, and how many there are: no cut, no reorder
            sealed.write(aead.encrypt(nonce, plain.read(CHUNK), bound))


def decrypt_file(source, target, key):
    from cryptography.exceptions import InvalidTag

    aead = cipher(key)
    with open(source, "rb") as sealed, open(target, "wb") as plain:
        head = sealed.read(len(MAGIC) + 16)
        if not head.startswith(MAGIC):
            raise BackupError(f"{source} is not an encrypted backup of this app")
        prefix, (count,) = head[len(MAGIC) : len(MAGIC) + 8], struct.unpack(">Q", head[-8:])
        for index in range(count):
            chunk = sealed.read(CHUNK + 16)
            try:
                plain.write(
                    aead.decrypt(prefix + struct.pack(">I", index), chunk, struct.pack(">QQ", index, count))
                )
            except InvalidTag:
                raise BackupError(f"{source} cannot be decrypted with this key, or it is damaged") from None
        if sealed.read(1):
            raise BackupError(f"{source} has more than its chunks: it is damaged")


def is_encrypted(path):
    with open(path, "rb") as file:
        return file.read(len(MAGIC)) == MAGIC


# ---- Backup -----------------------------------------------------------------------------------------------


def private_folder(folder):
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def make_backup(database_path, folder, key=None, keep=14):
    """Write a consistent copy of the database into `folder` (encrypted with `key` when given); keep the
    newest `keep` backups there. Return the new backup's path."""
    folder = private_folder(Path(folder))
    moment = clock.now().strftime("%Y%m%dT%H%M%SZ")
    plain = folder / (NAME.format(moment=moment) + ".partial")
    plain.unlink(missing_ok=True)
    source = database.connect(str(database_path))
    previous = os.umask(0o077)  # the copy is born 0600: never readable by others, even for a moment
    try:
        source.execute("VACUUM INTO ?", [str(plain)])
    finally:
        os.umask(previous)
        source.close()
    final = folder / (NAME.format(moment=moment) + (".enc" if key else ""))
    if key:
        encrypt_file(plain, plain.with_suffix(".sealing"), key)
        os.chmod(plain.with_suffix(".sealing"), 0o600)
        os.replace(plain.with_suffix(".sealing"), final)
        plain.unlink()
    else:
        os.replace(plain, final)
    prune(folder, keep)
    return final


def backups_in(folder):
    """The backups in a folder, oldest first (their names sort by time)."""
    return sorted(
        path for path in Path(folder).glob("backup-*.sqlite*") if path.suffix in (".sqlite", ".enc")
    )


def prune(folder, keep):
    for old in backups_in(folder)[:-keep]:
        old.unlink()


# ---- Restore ----------------------------------------------------------------------------------------------


def check_backup(path):
    """Refuse a damaged file, or one from a newer version of the app (its schema has migrations this one
    does not know)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            applied = {row[0] for row in connection.execute("SELECT name FROM _sqlite_migrations")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a readable database: {error}") from None
    if verdict != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {verdict}")
    known = {migration.name for migration in database.migrations.pending(sqlite_utils.Database(memory=True))}
    unknown = applied - known
    if unknown:
        raise BackupError(f"{path} comes from a newer version of the app (migrations {sorted(unknown)})")


def restore(backup, database_path, key=None):
    """Put a backup in place of the database; return the ids erased again from the erasure ledger."""
    backup, database_path = Path(backup), Path(database_path)
    if not backup.exists():
        raise BackupError(f"{backup} does not exist")
    with exclusive_lock(database_path):
        draft = database_path.with_name(f".{database_path.name}.restoring")
        for leftover in (draft, Path(f"{draft}-wal"), Path(f"{draft}-shm")):
            leftover.unlink(missing_ok=True)
        previous = os.umask(0o077)
        try:
            if is_encrypted(backup):
                if not key:
                    raise BackupError(f"{backup} is encrypted: set BACKUP_KEY")
                decrypt_file(backup, draft, key)
            else:
                draft.write_bytes(backup.read_bytes())
        finally:
            os.umask(previous)
        check_backup(draft)
        db = database.connect(str(draft))
        try:
            database.migrate(db)
            erased = erasure.erase_again_from_the_ledger(db, erasure_ledger.path_for(database_path))
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        Path(f"{draft}-wal").unlink(missing_ok=True)
        Path(f"{draft}-shm").unlink(missing_ok=True)
        if database_path.exists():  # kept aside with its journal, in case the restore was a mistake
            aside = database_path.with_name(
                f"{database_path.name}.before-restore-{clock.now():%Y%m%dT%H%M%SZ}"
            )
            os.replace(database_path, aside)
            if Path(f"{database_path}-wal").exists():
                os.replace(f"{database_path}-wal", f"{aside}-wal")
        Path(f"{database_path}-shm").unlink(missing_ok=True)  # an index of the old journal: stale
        os.chmod(draft, 0o600)
        os.replace(draft, database_path)
        sync_folder(database_path.parent)
    return erased


def sync_folder(folder):
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
