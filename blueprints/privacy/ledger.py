"""The erasure ledger outside the database: a file beside it, appended to and never rewritten, that says who was
erased and when (her id and her sign-ups' ids: random, no personal data). A backup taken before an erasure
still holds her; restoring it erases her again from this file before anyone can read it."""

import json
import os
from pathlib import Path

SUFFIX = ".erasures.jsonl"


def path_for(database_path):
    """The ledger of the database file at `database_path`."""
    return Path(f"{database_path}{SUFFIX}")


def path_of(db):
    """The ledger of an open database (its main file, as SQLite names it)."""
    main = next(row["file"] for row in db.execute("PRAGMA database_list") if row["name"] == "main")
    return path_for(main)


def append(path, participant_id, signup_ids, erased_at):
    """Add one erasure, on the disk before this returns (the erasure's transaction commits after it: a
    crash between the two erases her again at the next restore, which is the safe side)."""
    line = json.dumps({"participant_id": participant_id, "signup_ids": signup_ids, "erased_at": erased_at})
    new = not path.exists()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if new:  # the file's name is on the disk too
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def entries(path):
    """Every erasure in the ledger, oldest first (a line cut short by a crash while writing is skipped)."""
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(entry, dict) and isinstance(entry.get("participant_id"), int):
            found.append(entry)
    return found
