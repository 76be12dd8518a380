"""Backups while the server serves, restores that never bring an erased woman back, and the erasure ledger
beside the database."""

import json
import sqlite3
import stat
import threading
from datetime import timedelta
from pathlib import Path

import pytest

import clock
import db as database
from blueprints.backups import files
from blueprints.privacy import erasure, ledger
from outbox import process_items

from .conftest import add_woman
from .test_outbox import reference_data, signup_item  # noqa: F401 (reference_data is a fixture)

pytestmark = pytest.mark.usefixtures("fixed_clock", "reference_data")

KEY = files.new_key()


def mode(path):
    return stat.S_IMODE(Path(path).stat().st_mode)


def names(path):
    connection = sqlite3.connect(path)
    try:
        return sorted(row[0] for row in connection.execute("SELECT first_name FROM participants"))
    finally:
        connection.close()


@pytest.fixture
def served(app):
    """The app's database path, with its server stopped (this test process let go of its lock)."""
    database.stop_serving()
    yield Path(app.config["DATABASE"])
    database.stop_serving()


# ---- The erasure ledger -----------------------------------------------------------------------------------


def test_an_erasure_is_written_to_the_ledger_beside_the_database_with_ids_only(app, db, staff):
    (answer,) = process_items(db, [signup_item(db, 1, first_name="Zuleikhaqx")], staff["outreach"])
    woman = db.execute("SELECT id FROM participants").fetchone()[0]
    erasure.erase(db, woman, "test")
    path = ledger.path_for(app.config["DATABASE"])
    assert mode(path) == 0o600
    (entry,) = ledger.entries(path)
    assert entry["participant_id"] == woman and entry["signup_ids"] == [answer["id"]]
    text = path.read_text()
    assert "Zuleikhaqx" not in text and "+45" not in text
    with open(path, "a") as file:
        file.write('{"participant_id": 9')  # a line cut short by a crash
    assert len(ledger.entries(path)) == 1


# ---- Backup -----------------------------------------------------------------------------------------------


def test_a_backup_is_a_private_copy_and_only_the_newest_are_kept(app, db, staff, tmp_path):
    add_woman(db, "Amina", "+4520123401")
    folder = tmp_path / "backups"
    made = []
    for minute in range(4):
        with clock.fixed(clock.now() + timedelta(minutes=minute)):
            made.append(files.make_backup(app.config["DATABASE"], folder, keep=3))
    assert files.backups_in(folder) == made[1:]
    assert mode(folder) == 0o700 and mode(made[-1]) == 0o600
    assert names(made[-1]) == ["Amina"]
    assert sqlite3.connect(made[-1]).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_encrypted_backup_holds_no_name_and_needs_its_key(app, db, staff, tmp_path, served):
    add_woman(db, "Zuleikhaqx", "+4529998877")
    backup = files.make_backup(served, tmp_path, key=KEY)
    raw = backup.read_bytes()
    assert backup.suffix == ".enc" and b"Zuleikhaqx" not in raw and b"SQLite format 3" not in raw
    with pytest.raises(files.BackupError, match="cannot be decrypted"):
        files.restore(backup, served, key=files.new_key())
    with pytest.raises(files.BackupError, match="is encrypted"):
        files.restore(backup, served, key=None)
    cut = tmp_path / "cut.sqlite.enc"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(files.BackupError):
        files.restore(cut, served, key=KEY)
    files.restore(backup, served, key=KEY)
    assert names(served) == ["Zuleikhaqx"]


def test_the_backup_command_prints_where_it_wrote(app, db, staff, tmp_path):
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "nightly")])
    assert result.exit_code == 0, result.output
    written = Path(result.output.split("Backup written: ")[1].strip())
    assert written.parent == tmp_path / "nightly" and written.exists()


# ---- Restore ----------------------------------------------------------------------------------------------


def test_a_restore_refuses_while_a_server_has_the_database_open(app, db, staff, tmp_path):
    backup = files.make_backup(app.config["DATABASE"], tmp_path)  # the app started: it serves the database
    with pytest.raises(files.BackupError, match="a server has the database open"):
        files.restore(backup, app.config["DATABASE"])
    result = app.test_cli_runner().invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code != 0 and "a server has the database open" in result.output
    database.stop_serving()


def test_a_restore_refuses_a_damaged_file_or_one_from_a_newer_version(app, db, staff, tmp_path, served):
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 5000)
    with pytest.raises(files.BackupError, match="not a readable database|integrity"):
        files.restore(damaged, served)
    newer = files.make_backup(served, tmp_path / "newer")
    connection = sqlite3.connect(newer)
    connection.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('app', 'm999_future', '2030')"
    )
    connection.commit()
    connection.close()
    with pytest.raises(files.BackupError, match="newer version"):
        files.restore(newer, served)
    assert names(served) == []  # nothing was replaced


def test_restoring_an_older_backup_never_brings_an_erased_woman_back(app, db, staff, tmp_path, served):
    process_items(
        db,
        [signup_item(db, 1, first_name="Amina"), signup_item(db, 2, first_name="Hodan")],
        staff["outreach"],
    )
    backup = files.make_backup(served, tmp_path)
    hodan = db.execute("SELECT id FROM participants WHERE first_name = 'Hodan'").fetchone()[0]
    hodans_signup = db.execute(
        "SELECT id, content_hash FROM signups WHERE participant_id = ?", [hodan]
    ).fetchone()
    process_items(db, [signup_item(db, 3, first_name="Samira")], staff["outreach"])  # after the backup
    erasure.erase(db, hodan, "test")
    db.close()
    result = app.test_cli_runner().invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "erased again from the ledger: 1" in result.output
    assert names(served) == ["Amina"]  # the backup's data, without Hodan; Samira came after it
    restored = database.connect(str(served))
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert (
        restored.execute(
            "SELECT count(*) FROM erased_participants WHERE participant_id = ?", [hodan]
        ).fetchone()[0]
        == 1
    )
    # Her phone sends her sign-up again: it is gone, not registered anew.
    resent = signup_item(restored, 2, first_name="Hodan") | {"id": hodans_signup["id"]}
    with app.app_context():
        (answer,) = process_items(restored, [resent], None)
    assert answer["status"] == "gone"
    assert not list(served.parent.glob(f".{served.name}.restoring*"))
    aside = list(served.parent.glob(f"{served.name}.before-restore-*"))
    assert [path.name for path in aside if not path.name.endswith("-wal")]
    restored.close()


def test_the_restore_drill_a_backup_under_four_writers_is_consistent_and_restores(
    app, db, staff, tmp_path, served
):
    """Serve and write; back up while four writers write; write more; erase a woman; stop; restore; start."""
    process_items(db, [signup_item(db, n, first_name=f"Before {n}") for n in range(5)], staff["outreach"])
    stop = threading.Event()
    written = []

    def writer(number):
        connection = database.connect(str(served))
        n = 0
        while not stop.is_set():
            n += 1
            item = signup_item(connection, 1000 * number + n, first_name=f"Writer {number}-{n}")
            with app.app_context():
                (answer,) = process_items(connection, [item], staff["outreach"])
            written.append(answer["status"])
        connection.close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(1, 5)]
    for thread in threads:
        thread.start()
    try:
        backup = files.make_backup(served, tmp_path)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert set(written) == {"ok"} and len(written) > 4
    copy = sqlite3.connect(backup)
    # Consistent: every woman in the copy has her sign-up and her consent, as one transaction wrote them.
    participants, signups, consents = (
        copy.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("participants", "signups", "consents")
    )
    copy.close()
    assert participants == signups == consents >= 5
    first = db.execute("SELECT id FROM participants WHERE first_name = 'Before 0'").fetchone()[0]
    erasure.erase(db, first, "test")
    process_items(db, [signup_item(db, 99, first_name="After")], staff["outreach"])
    db.close()
    files.restore(backup, served)
    restored = database.connect(str(served))
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count = restored.execute("SELECT count(*) FROM participants").fetchone()[0]
    assert count == participants - 1  # the backup's women, less the one erased since
    assert "Before 0" not in names(served) and "After" not in names(served)
    restored.close()
    assert app.test_client().get("/da/login").status_code == 200  # the server starts on it
    assert json.loads(ledger.path_for(served).read_text().splitlines()[0])["participant_id"] == first


# ---- A server does not start on a missing or damaged database ---------------------------------------------


def test_a_server_refuses_to_start_without_its_database_and_makes_no_empty_one(tmp_path):
    from app import create_app

    missing = tmp_path / "moved-away.sqlite"
    with pytest.raises(database.NoDatabase, match="init-db"):
        create_app({"DATABASE": str(missing), "TESTING": True, "SECRET_KEY": "x"})
    assert not missing.exists()
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database" * 100)
    with pytest.raises(database.NoDatabase, match="damaged"):
        create_app({"DATABASE": str(damaged), "TESTING": True, "SECRET_KEY": "x"})


def test_init_db_makes_a_new_database_and_other_commands_refuse_a_missing_one(tmp_path):
    import os
    import subprocess
    import sys

    flask = str(Path(sys.executable).with_name("flask"))
    env = os.environ | {"FLASK_DATABASE": str(tmp_path / "new.sqlite"), "FLASK_SECRET_KEY": "x"}
    root = Path(__file__).parents[1]
    refused = subprocess.run(
        [flask, "--app", "app", "erase", "1", "--yes"], cwd=root, env=env, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "There is no database" in refused.stderr
    assert not (tmp_path / "new.sqlite").exists()
    made = subprocess.run(
        [flask, "--app", "app", "init-db"], cwd=root, env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert names(tmp_path / "new.sqlite") == []


def test_the_instance_folder_the_database_its_journal_and_the_texts_are_the_app_users_only(app, db, staff):
    from sms import FileSender

    assert mode(app.instance_path) == 0o700
    path = Path(app.config["DATABASE"])
    path.chmod(0o644)  # as an older version left it
    connection = database.connect(str(path))
    connection.execute("CREATE TABLE touched (x)")
    assert mode(path) == 0o600 and mode(f"{path}-wal") == 0o600
    connection.close()
    FileSender(app.config["SMS_FILE"]).send("+4520123401", "Hej")
    assert mode(app.config["SMS_FILE"]) == 0o600
