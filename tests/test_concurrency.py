"""Several workers and phones at once: no 500, no resurrected session, limits that hold."""

import multiprocessing
import secrets
import sqlite3
import threading
from pathlib import Path

import sqlite_utils

import db as db_module
from blueprints.auth import accounts

from .conftest import PASSWORD, csrf_token_from, login


def in_parallel(work, count):
    results, threads = [None] * count, []
    for index in range(count):

        def run(index=index):
            results[index] = work(index)

        threads.append(threading.Thread(target=run))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_parallel_wrong_passwords_cannot_beat_the_login_limit(app, staff):
    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_token_from(c.get("/da/login").get_data(as_text=True)) for c in clients]

    def attempt(index):
        data = {"csrf_token": tokens[index], "username": "outreach", "password": "wrong password"}
        return clients[index].post("/da/login", data=data).status_code

    codes = in_parallel(attempt, len(clients))
    assert codes.count(400) <= accounts.FAILURES_PER_NAME_AND_PLACE
    assert codes.count(429) >= len(clients) - accounts.FAILURES_PER_NAME_AND_PLACE


def test_creating_the_same_account_twice_at_once_gives_no_500(app, staff):
    clients = [app.test_client() for _ in range(4)]
    tokens = []
    for client in clients:
        login(client, "admin")
        tokens.append(csrf_token_from(client.get("/da/admin/users").get_data(as_text=True)))

    def create(index):
        data = {
            "csrf_token": tokens[index],
            "username": "twin",
            "role": "outreach",
            "password": "long enough pw",
        }
        return clients[index].post("/da/admin/users", data=data).status_code

    codes = in_parallel(create, len(clients))
    assert sorted(codes) == [302, 400, 400, 400]


def test_a_session_ended_elsewhere_is_not_brought_back_by_a_running_request(app, client, staff, db):
    login(client, "coordinator")
    cookie = client.get_cookie("session").value
    interface = app.session_interface
    with app.test_request_context("/da/", headers={"Cookie": f"session={cookie}"}):
        from flask import request

        running = interface.open_session(app, request)  # a request that started before the logout
        db.execute("DELETE FROM staff_sessions")  # logout on another tab
        running["_flashes"] = [("message", "x")]
        response = app.response_class()
        interface.save_session(app, running, response)
    assert db.execute("SELECT count(*) FROM staff_sessions").fetchone()[0] == 0
    assert client.get("/da/").status_code == 302


WORKERS = 4


def start_worker(database, barrier, queue):
    """Start like a gunicorn worker: create the app as soon as every worker is ready to."""
    from app import create_app

    try:
        barrier.wait(timeout=60)
        app = create_app({"DATABASE": database, "TESTING": True, "SECRET_KEY": None})
        queue.put(("ok", app.secret_key))
    except Exception as error:  # noqa: BLE001 - reported to the test
        queue.put(("error", repr(error)))


def test_workers_starting_together_share_one_schema_and_one_secret_key(tmp_path, monkeypatch):
    import app as app_module

    instance = tmp_path / "instance"
    instance.mkdir()
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(WORKERS), context.Queue()
    database = str(tmp_path / "fresh.sqlite")
    Path(database).touch()  # an empty file (a server never makes one: init-db, or a provisioning tool)
    original = app_module.Flask

    class InstanceHere(original):
        def __init__(self, *args, **kwargs):
            kwargs["instance_path"] = str(instance)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(app_module, "Flask", InstanceHere)
    workers = [context.Process(target=start_worker, args=(database, barrier, queue)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    try:
        answers = [queue.get(timeout=120) for _ in workers]  # generous: a loaded machine is slow, not wrong
    finally:
        for worker in workers:
            worker.join(10)
            worker.kill()
    assert [status for status, _ in answers] == ["ok"] * WORKERS, answers
    assert len({key for _, key in answers}) == 1
    migrated = db_module.connect(database)
    applied = [row["name"] for row in migrated.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    migrated.close()
    assert applied == [
        migration.name for migration in db_module.migrations.pending(sqlite_utils.Database(memory=True))
    ]


def test_a_worker_slow_to_write_the_secret_key_holds_up_no_other_worker(tmp_path, monkeypatch):
    import keys as app_keys

    writing, written = threading.Event(), threading.Event()
    token_hex = secrets.token_hex

    def first_key_written_slowly(nbytes):
        if nbytes == 32 and not writing.is_set():
            writing.set()
            written.wait(30)
        return token_hex(nbytes)

    monkeypatch.setattr(secrets, "token_hex", first_key_written_slowly)
    keys = []
    slow = threading.Thread(target=lambda: keys.append(app_keys.instance_key(tmp_path)))
    slow.start()
    assert writing.wait(30)
    try:
        keys += [app_keys.instance_key(tmp_path) for _ in range(2)]
    finally:
        written.set()
        slow.join(30)
    assert len(keys) == 3
    assert len(set(keys)) == 1
    assert len(keys[0]) == 64
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]


def test_a_worker_opening_a_new_database_while_another_sets_it_up_waits_its_turn(tmp_path):
    path = str(tmp_path / "fresh.sqlite")
    setting_up = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    setting_up.execute("BEGIN IMMEDIATE")  # another worker inside its own PRAGMA journal_mode=WAL
    done = threading.Timer(0.5, setting_up.execute, ["ROLLBACK"])
    done.start()
    try:
        connection = db_module.connect(path)
    finally:
        done.join(30)
        setting_up.close()
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_changing_the_password_logs_out_the_other_phones(app, staff, login_as):
    other_phone = app.test_client()
    login(other_phone, "facilitator")
    client = login_as("facilitator")
    token = csrf_token_from(client.get("/da/account").get_data(as_text=True))
    response = client.post(
        "/da/account",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "a new long one",
            "confirm_password": "a new long one",
        },
    )
    assert response.status_code == 302
    assert client.get("/da/").status_code == 200
    assert other_phone.get("/da/").status_code == 302
