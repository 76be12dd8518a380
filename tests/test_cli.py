"""The command-line commands: init-db, demo-data, create-user."""

import sqlite3

import db as database
from blueprints.auth import accounts
from blueprints.auth import queries as staff_queries


def reopened(app):
    """demo-data replaces the file, so connections opened before it see the old one."""
    return database.connect(app.config["DATABASE"])


def test_init_db_creates_an_empty_database(app, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "fresh.sqlite")
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    conn = sqlite3.connect(app.config["DATABASE"])
    assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_demo_data_prints_a_login_per_role_with_the_given_password(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--password", "demo password 1"])
    assert result.exit_code == 0, result.output
    db = reopened(app)
    for username in ("admin", "coordinator", "facilitator", "outreach"):
        assert f"{username}" in result.output
        assert accounts.check_password(db, username, "demo password 1") is not None


def test_demo_data_makes_random_passwords_that_work(app):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    db = reopened(app)
    line = next(line for line in result.output.splitlines() if line.strip().startswith("outreach"))
    password = line.split()[-1]
    assert len(password) >= 10
    assert accounts.check_password(db, "outreach", password) is not None


def test_the_welcome_names_the_port_and_a_new_personal_link_each_time(app):
    """`make run` prints it at each start: a link opens once, so yesterday's would show nothing."""
    runner = app.test_cli_runner()
    runner.invoke(args=["demo-data", "--password", "demo password 1"])
    first = runner.invoke(args=["demo-welcome", "--port", "8123"])
    second = runner.invoke(args=["demo-welcome", "--port", "8123"])
    assert first.exit_code == 0, first.output
    assert "facilitator" in first.output and "demo password 1" in first.output
    assert "Log in at http://127.0.0.1:8123/" in first.output
    links = [
        [line.strip() for line in result.output.splitlines() if "/ar/c/" in line]
        for result in (first, second)
    ]
    assert all(len(found) == 1 and found[0].startswith("http://127.0.0.1:8123/ar/c/") for found in links)
    assert links[0] != links[1]
    assert ":5000" not in first.output


def test_demo_data_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(args=["demo-data", "--password", "short"])
    assert result.exit_code != 0


def test_create_user_asks_for_the_password_twice(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-user", "amira", "--role", "outreach"], input="long enough pw\nlong enough pw\n"
    )
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output and "Repeat for confirmation:" in result.output
    assert accounts.check_password(db, "amira", "long enough pw")["role"] == "outreach"


def test_create_user_refuses_different_passwords(app, db):
    result = app.test_cli_runner().invoke(
        args=["create-user", "amira", "--role", "outreach"],
        input="long enough pw\nanother one!!\nlong enough pw\nlong enough pw\n",
    )
    assert result.exit_code == 0
    assert staff_queries.user_by_username(db, "amira") is not None


def test_create_user_refuses_an_unknown_role(app):
    result = app.test_cli_runner().invoke(args=["create-user", "amira", "--role", "boss"], input="x\nx\n")
    assert result.exit_code != 0
