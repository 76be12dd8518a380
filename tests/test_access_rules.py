"""Every record access rule of access.py, one parametrised test each: who may see or do what to which record.

The rules live in access.py and nowhere else; these tests pin them down so that tightening one (the data
protection work) shows exactly which answers change.
"""

import re
from datetime import date, datetime

import pytest
from werkzeug.exceptions import Forbidden, NotFound

import access
import clock
from blueprints.auth import accounts
from blueprints.auth import queries as staff_queries
from blueprints.groups import queries as groups

from .conftest import PASSWORD, add_group, add_woman

A_TUESDAY = datetime.fromisoformat("2026-03-03T09:00:00+01:00")


@pytest.fixture
def world(db, staff):
    """Hanan leads group A, Sara (another facilitator) leads group B. In A: Amina (a place), Bushra
    (waitlist), Chadia (left). Dilek is only in B; Emine in no group."""
    sara = accounts.create_user(db, "sara", "facilitator", PASSWORD, "Sara")
    with clock.fixed(A_TUESDAY):
        group_a = add_group(db, staff["facilitator"], date(2026, 3, 3), date(2026, 3, 31), capacity=1)
        group_b = add_group(db, sara, date(2026, 3, 3), date(2026, 3, 31), name="Gåtur")
        women = {
            name: add_woman(db, name, f"+45201234{index:02d}")
            for index, name in enumerate(["Amina", "Bushra", "Chadia", "Dilek", "Emine"])
        }
        groups.enrol(db, group_a, women["Amina"])
        groups.enrol(db, group_a, women["Bushra"])  # full: waitlist
        groups.enrol(db, group_a, women["Chadia"])  # full: waitlist, then she leaves
        groups.leave(db, group_a, women["Chadia"])
        groups.enrol(db, group_b, women["Dilek"])
    users = {role: staff_queries.user_by_id(db, user_id) for role, user_id in staff.items()}
    users["other_facilitator"] = staff_queries.user_by_id(db, sara)
    return {"users": users, "A": group_a, "B": group_b, **women}


ROLES = ("admin", "coordinator", "facilitator", "other_facilitator", "outreach")


@pytest.mark.parametrize(
    ("who", "group", "expected"),
    [
        ("admin", "A", True),
        ("coordinator", "A", True),
        ("facilitator", "A", True),
        ("facilitator", "B", False),
        ("other_facilitator", "A", False),
        ("other_facilitator", "B", True),
        ("outreach", "A", False),
    ],
)
@pytest.mark.parametrize("rule", [access.may_see_group, access.may_change_group, access.may_check_in])
def test_who_may_see_change_and_check_in_to_a_group(db, world, rule, who, group, expected):
    assert rule(db, world["users"][who], world[group]) is expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"A", "B"}),
        ("coordinator", {"A", "B"}),
        ("facilitator", {"A"}),
        ("other_facilitator", {"B"}),
        ("outreach", set()),
    ],
)
def test_the_groups_a_query_lists_are_the_groups_she_may_see(db, world, who, expected):
    listed = {row["id"] for row in groups.groups_for(db, world["users"][who])}
    assert listed == {world[name] for name in expected}


@pytest.mark.parametrize(
    ("who", "woman", "expected"),
    [
        ("facilitator", "Amina", True),  # her place in the group
        ("facilitator", "Bushra", True),  # waiting: she may come
        ("facilitator", "Chadia", False),  # left the group
        ("facilitator", "Dilek", False),  # another group's woman
        ("facilitator", "Emine", False),  # in no group
        ("coordinator", "Amina", True),
        ("coordinator", "Emine", False),  # by name only from the group's list; a card works for anyone
        ("other_facilitator", "Amina", False),  # not her group
        ("outreach", "Amina", False),
    ],
)
def test_who_may_be_checked_in_by_name(db, world, who, woman, expected):
    assert access.may_check_in_by_name(db, world["users"][who], world["A"], world[woman]) is expected


@pytest.mark.parametrize(
    ("who", "group", "woman", "offered_to", "expected"),
    [
        ("admin", "A", "Emine", None, True),
        ("coordinator", "A", "Emine", None, True),
        ("facilitator", "A", "Emine", None, False),  # in no group of hers, offered to none
        ("facilitator", "A", "Emine", "A", True),  # a coordinator offered her to this group
        ("facilitator", "A", "Emine", "B", False),  # offered to another group
        ("facilitator", "A", "Dilek", None, False),  # another facilitator's woman
        ("other_facilitator", "B", "Amina", None, False),
        ("facilitator", "B", "Emine", "B", False),  # not her group
        ("outreach", "A", "Emine", "A", False),
    ],
)
def test_who_may_enrol_a_woman_in_a_group(db, world, staff, who, group, woman, offered_to, expected):
    if offered_to:
        groups.offer(db, world[offered_to], world[woman], staff["coordinator"])
    assert access.may_enrol(db, world["users"][who], world[group], world[woman]) is expected


@pytest.mark.parametrize(
    ("who", "offered", "expected"),
    [
        ("admin", None, {"Amina", "Bushra", "Chadia", "Dilek", "Emine"}),
        ("coordinator", None, {"Amina", "Bushra", "Chadia", "Dilek", "Emine"}),
        ("facilitator", None, {"Amina", "Bushra"}),  # the women of her group (Chadia left it)
        ("facilitator", "A", {"Amina", "Bushra", "Emine"}),  # and a woman offered to it
        ("other_facilitator", None, {"Dilek"}),
        ("other_facilitator", "A", {"Dilek"}),
        ("outreach", None, set()),
    ],
)
def test_who_may_find_women_by_name(db, world, staff, who, offered, expected):
    if offered:
        groups.offer(db, world[offered], world["Emine"], staff["coordinator"])
    condition, params = access.findable_participants(world["users"][who])
    found = db.execute(f"SELECT first_name FROM participants p WHERE {condition}", params).fetchall()
    assert {row[0] for row in found} == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", True), ("coordinator", True), ("facilitator", False), ("outreach", False)],
)
def test_who_may_search_by_phone_digits(db, world, who, expected):
    assert access.may_search_by_phone(world["users"][who]) is expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", True), ("coordinator", True), ("facilitator", False), ("outreach", False)],
)
def test_who_may_open_a_womans_record(db, world, who, expected):
    assert access.may_see_participant(db, world["users"][who], world["Amina"]) is expected


@pytest.fixture
def caseloads(db, staff, world):
    """Lina, a second coordinator, has Dilek in her caseload; the coordinator has Amina; the others are new
    sign-ups nobody has taken yet. The coordinator also leads group B (where Dilek is)... only when asked."""
    lina = accounts.create_user(db, "lina", "coordinator", PASSWORD, "Lina")
    db.execute("UPDATE participants SET coordinator_id = ? WHERE id = ?", [lina, world["Dilek"]])
    db.execute(
        "UPDATE participants SET coordinator_id = ? WHERE id = ?", [staff["coordinator"], world["Amina"]]
    )
    return {"lina": staff_queries.user_by_id(db, lina)}


@pytest.mark.parametrize(
    ("setup", "who", "expected"),
    [
        ("", "coordinator", {"Amina", "Bushra", "Chadia", "Emine"}),  # hers, and the new sign-ups
        ("", "lina", {"Dilek", "Bushra", "Chadia", "Emine"}),
        ("leads B", "coordinator", {"Amina", "Bushra", "Chadia", "Dilek", "Emine"}),  # a woman of her group
        ("team", "coordinator", {"Amina", "Bushra", "Chadia", "Dilek", "Emine"}),
        ("", "admin", {"Amina", "Bushra", "Chadia", "Dilek", "Emine"}),
    ],
)
def test_a_coordinator_sees_her_women_the_new_sign_ups_and_her_groups_women_unless_a_team(
    db, staff, world, caseloads, setup, who, expected
):
    import settings

    if setup == "leads B":
        db.execute(
            "INSERT INTO group_facilitators (group_id, user_id) VALUES (?, ?)",
            [world["B"], staff["coordinator"]],
        )
    if setup == "team":
        settings.put(db, "coordinators_share", 1)
    user = caseloads.get(who) or world["users"][who]
    condition, params = access.findable_participants(user)
    found = {row[0] for row in db.execute(f"SELECT first_name FROM participants p WHERE {condition}", params)}
    assert found == expected
    for name in ("Amina", "Dilek"):
        assert access.may_see_participant(db, user, world[name]) is (name in expected)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", True), ("coordinator", True), ("facilitator", True), ("outreach", False)],
)
def test_who_may_download_a_roster(world, who, expected):
    assert access.may_use_roster(world["users"][who]) is expected


@pytest.mark.parametrize(
    ("who", "group", "expected"),
    [
        ("admin", "A", True),
        ("coordinator", "B", True),
        ("facilitator", "A", False),  # she can undo her own wrong tap at the door, not rewrite the register
        ("outreach", "A", False),
    ],
)
def test_who_may_correct_who_came_to_a_past_session(db, world, who, group, expected):
    assert access.may_correct_attendance(db, world["users"][who], world[group]) is expected


@pytest.mark.parametrize(
    ("who", "chosen", "expected"),
    [
        ("facilitator", set(), {"facilitator"}),  # she cannot take herself off the group she edits
        ("facilitator", {"other_facilitator"}, {"facilitator", "other_facilitator"}),
        ("coordinator", {"other_facilitator"}, {"other_facilitator"}),  # a coordinator sees all anyway
    ],
)
def test_a_facilitator_keeps_the_group_she_makes_or_edits(world, who, chosen, expected):
    users = world["users"]
    kept = access.leaders_keeping_access(users[who], {users[name]["id"] for name in chosen})
    assert kept == sorted(users[name]["id"] for name in expected)


@pytest.mark.parametrize(
    ("who", "group", "error"),
    [("facilitator", "A", None), ("facilitator", "B", Forbidden), ("facilitator", "missing", NotFound)],
)
def test_a_group_page_is_404_when_missing_and_403_when_not_hers(app, db, world, who, group, error):
    group_id = world.get(group, 10**9)
    with app.test_request_context():
        if error is None:
            access.require_group(db, world["users"][who], group_id)
        else:
            with pytest.raises(error):
                access.require_group(db, world["users"][who], group_id)


def test_no_module_but_access_decides_by_role():
    """A role check outside access.py (and the home page's choice of what to show) is a rule in a second place."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    # The home page chooses what to show; accounts.py manages roles themselves (never the last admin).
    allowed = {"access.py", "blueprints/home/routes.py", "blueprints/auth/accounts.py"}
    compared = re.compile(r'\["role"\]\s*(==|!=|in\b|not in\b)')
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in [*root.glob("*.py"), *root.glob("blueprints/**/*.py")]
        if str(path.relative_to(root)) not in allowed
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if compared.search(line) or "group_facilitators WHERE user_id" in line
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("who", "stage", "expected"),
    [
        ("admin", "left", True),
        ("coordinator", "new", True),  # unassigned: the new sign-ups are every coordinator's
        ("job_consultant", "new", True),
        ("job_consultant", "contacted", True),
        ("job_consultant", "set_aside", True),
        ("job_consultant", "enrolled", True),
        ("job_consultant", "closed", False),  # she said no, or the number was wrong
        ("job_consultant", "left", False),
        ("facilitator", "enrolled", False),  # even a woman of her own group
        ("outreach", "new", False),
    ],
)
def test_who_may_do_casework_for_a_woman_at_each_stage(db, world, who, stage, expected):
    db.execute("UPDATE participants SET stage = ? WHERE id = ?", [stage, world["Amina"]])
    assert access.may_do_casework(db, world["users"][who], world["Amina"]) is expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", True), ("job_consultant", True), ("coordinator", False), ("outreach", False)],
)
def test_who_may_look_at_another_coordinators_caseload(world, who, expected):
    assert access.may_see_caseload_of_others(world["users"][who]) is expected
