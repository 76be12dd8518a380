"""Several workers and phones at once: no 500, no resurrected session, limits that hold."""

import multiprocessing
import threading

from blueprints.auth import queries as accounts

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
    assert codes.count(400) <= accounts.FAILURES_PER_USERNAME_AND_ADDRESS
    assert codes.count(429) >= len(clients) - accounts.FAILURES_PER_USERNAME_AND_ADDRESS


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


def start_worker(database, queue):
    from app import create_app

    try:
        app = create_app({"DATABASE": database, "TESTING": True, "SECRET_KEY": None})
        queue.put(("ok", app.secret_key))
    except Exception as error:  # noqa: BLE001 - reported to the test
        queue.put(("error", repr(error)))


def test_workers_starting_together_share_one_schema_and_one_secret_key(tmp_path, monkeypatch):
    import app as app_module

    instance = tmp_path / "instance"
    instance.mkdir()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    database = str(tmp_path / "fresh.sqlite")
    original = app_module.Flask

    class InstanceHere(original):
        def __init__(self, *args, **kwargs):
            kwargs["instance_path"] = str(instance)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(app_module, "Flask", InstanceHere)
    workers = [context.Process(target=start_worker, args=(database, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    answers = [queue.get(timeout=5) for _ in workers]
    assert [status for status, _ in answers] == ["ok"] * 4, answers
    assert len({key for _, key in answers}) == 1


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
