"""Who may see or do what: every access rule of the app, in one place.

Two kinds of rule live here. Role rules say which roles may open a view (`staff_required`). Record rules
say whether this staff member may see or change this group, session or woman; each is a function, and the
lists a query filters by are SQL conditions (`visible_groups`, `findable_participants`) with their
parameters, to put in the query's WHERE. A rule changes here and nowhere else.
"""

import functools

from flask import abort, current_app, g, redirect, request, url_for

# Role rules: who may open which pages.
GROUP_ROLES = ("admin", "coordinator", "facilitator")  # groups, sessions, check-in, register
# The women's records, personal links, cards, follow-up; the first calls, enrolment, contacts and pathways.
CASEWORK_ROLES = ("admin", "coordinator", "job_consultant")
CAMPAIGN_ROLES = ("admin", "coordinator")
ADMIN_ROLES = ("admin",)
# The steering group sees the programme's numbers and charts, never a woman: only pages that name it.
NUMBERS_ONLY_ROLES = ("steering_group",)
RESULTS_ROLES = ("admin", "coordinator", "steering_group")
# The project lead writes the report's texts (experience and learning).
REPORT_WRITERS = ("admin",)
# For staff_required: every staff role, the steering group's too (her home page, her own account).
EVERY_STAFF_ROLE = "*"
ROSTER_ROLES = GROUP_ROLES
SEES_EVERY_GROUP = ("admin", "coordinator")


def staff_required(*roles):
    """Let logged-in staff in; with roles, only those roles (others get 403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                # Back to this page after login; a form sent after the login expired goes back home.
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                login_url = url_for("auth.login", next=target)
                if request.headers.get("HX-Request"):
                    return "", 204, {"HX-Redirect": login_url}  # a whole page, not swapped into a row
                return redirect(login_url)
            if needs_second_factor(g.user):
                return redirect(url_for("auth.two_factor_setup"))
            if not may_open(g.user, wrapped):
                abort(403)
            g.staff_page = True
            return view(*args, **kwargs)

        wrapped.staff_roles = roles  # empty: every staff role but the steering group's (read by `may_open`)
        return wrapped

    return decorator


# Roles that see the women's records and manage the accounts: with FLASK_REQUIRE_2FA they log in with a
# second factor.
SECOND_FACTOR_ROLES = ("admin", "coordinator")


def second_factor_required(user):
    """True when this account must log in with a second factor (FLASK_REQUIRE_2FA and her role)."""
    return bool(current_app.config["REQUIRE_2FA"]) and user["role"] in SECOND_FACTOR_ROLES


def sees_numbers_only(user):
    """True for the steering group: the programme's numbers, never a woman (nor her reference lists)."""
    return user["role"] in NUMBERS_ONLY_ROLES


def records_things(user):
    """Staff who record things keep an outbox and an offline kit on the phone: all but the steering group."""
    return not sees_numbers_only(user)


def may_write_reports(user):
    return user is not None and user["role"] in REPORT_WRITERS


def may_see_exact_counts(user):
    """Staff who see the women's records see exact counts; the steering group sees counts of 1 to 4 as "<5"."""
    return not sees_numbers_only(user)


def needs_second_factor(user):
    """True when her role requires a second factor she has not set up yet (the requirement came after her
    login): she sets it up before any other staff page."""
    return second_factor_required(user) and not user["totp_secret"]


def may_open(user, view):
    """True when `user` may open `view` (a view function behind `staff_required`): any role it names; when
    it names none, every role but the steering group's; EVERY_STAFF_ROLE: every role."""
    roles = getattr(view, "staff_roles", None)
    if roles is None:
        return False
    if EVERY_STAFF_ROLE in roles:
        return True
    return user["role"] in roles if roles else not sees_numbers_only(user)


# ---- Record rules -------------------------------------------------------------------------------


def visible_groups(user, group_id="g.id"):
    """Return (SQL condition, params): true for the groups `user` may see and run, by the column `group_id`."""
    if user["role"] in SEES_EVERY_GROUP:
        return "1", []
    if user["role"] == "facilitator":
        return f"{group_id} IN (SELECT group_id FROM group_facilitators WHERE user_id = ?)", [user["id"]]
    return "0", []


# A woman who withdrew her consent is in no list.
PRESENT = "(SELECT withdrawn_at FROM participants WHERE id = {participant_id}) IS NULL"
# The women of a facilitator's groups: a place or on the waitlist in a group she leads.
IN_HER_GROUPS = """{participant_id} IN (SELECT n.participant_id FROM enrolments n
                     JOIN group_facilitators f ON f.group_id = n.group_id
                    WHERE f.user_id = ? AND n.state IN ('active', 'waitlist'))"""
OFFERED_TO_HER_GROUPS = """{participant_id} IN (SELECT o.participant_id FROM group_offers o
                     JOIN group_facilitators f ON f.group_id = o.group_id WHERE f.user_id = ?)"""


# A coordinator's women: her caseload, the new sign-ups nobody has taken yet, the women of groups she leads,
# and every woman when the programme's coordinators work as a team (a setting, for small municipalities).
COORDINATORS_WOMEN = (
    """((SELECT coordinator_id FROM participants WHERE id = {participant_id}) IS NULL
    OR (SELECT coordinator_id FROM participants WHERE id = {participant_id}) = ?
    OR """
    + IN_HER_GROUPS
    + """
    OR coalesce((SELECT value FROM settings WHERE key = 'coordinators_share'), '0') = '1')"""
)


# A job consultant works with every woman on her way to work (CV, company visits, internships): the women
# enrolled in the programme and those still to be called or met, not the ones who left or said no.
JOB_CONSULTANTS_WOMEN = """(SELECT stage FROM participants WHERE id = {participant_id})
    IN ('new', 'contacted', 'set_aside', 'enrolled')"""


def followed_participants(user, participant_id="p.id"):
    """Return (SQL condition, params): true for the women whose record `user` may open (withdrawn ones too,
    until they are erased)."""
    if user["role"] == "admin":
        return "1", []
    if user["role"] == "coordinator":
        return COORDINATORS_WOMEN.format(participant_id=participant_id), [user["id"], user["id"]]
    if user["role"] == "job_consultant":
        return JOB_CONSULTANTS_WOMEN.format(participant_id=participant_id), []
    return "0", []


def findable_participants(user, participant_id="p.id"):
    """Return (SQL condition, params): true for the women `user` may find by name (to enrol, to follow).
    A woman who withdrew her consent is in no list. A coordinator finds her own women (see
    COORDINATORS_WOMEN), a facilitator only the women of her own groups and those offered to one of them."""
    present = PRESENT.format(participant_id=participant_id)
    if user["role"] in CASEWORK_ROLES:
        followed, params = followed_participants(user, participant_id)
        return f"{present} AND {followed}", params
    if user["role"] == "facilitator":
        mine = IN_HER_GROUPS.format(participant_id=participant_id)
        offered = OFFERED_TO_HER_GROUPS.format(participant_id=participant_id)
        return f"{present} AND ({mine} OR {offered})", [user["id"], user["id"]]
    return "0", []


def may_search_by_phone(user):
    """True when `user` may find a woman by digits of her phone number (a full number would otherwise tell
    anyone whether a woman is in the programme)."""
    return user["role"] in CASEWORK_ROLES


def may_see_group(db, user, group_id):
    """True when `user` may see this group, its sessions, its women's first names and its register."""
    condition, params = visible_groups(user)
    row = db.execute(f"SELECT 1 FROM groups g WHERE g.id = ? AND {condition}", [group_id, *params]).fetchone()
    return row is not None


def may_change_group(db, user, group_id):
    """True when `user` may edit this group, its sessions and who is enrolled."""
    return user["role"] in GROUP_ROLES and may_see_group(db, user, group_id)


def may_check_in(db, user, group_id):
    """True when `user` may check women in to this group's sessions."""
    return user["role"] in GROUP_ROLES and may_see_group(db, user, group_id)


def may_enrol(db, user, group_id, participant_id):
    """True when `user` may put this woman into this group (or on its waitlist): a coordinator any woman she
    may find; a facilitator a woman offered to this group, or one already in a group she leads."""
    if not may_change_group(db, user, group_id):
        return False
    condition, params = findable_participants(user)
    if user["role"] == "facilitator":
        condition = f"""{PRESENT.format(participant_id="p.id")}
            AND ({IN_HER_GROUPS.format(participant_id="p.id")}
                 OR p.id IN (SELECT participant_id FROM group_offers WHERE group_id = ?))"""
        params = [user["id"], group_id]
    row = db.execute(
        f"SELECT 1 FROM participants p WHERE p.id = ? AND {condition}", [participant_id, *params]
    ).fetchone()
    return row is not None


def may_offer(db, user, group_id, participant_id):
    """True when `user` may offer this woman to this group's facilitators."""
    return user["role"] in CASEWORK_ROLES and may_see_group(db, user, group_id)


def may_check_in_by_name(db, user, group_id, participant_id):
    """True when `user` may check this woman in without her card: she is enrolled or waiting in the group
    (a facilitator's list of names is her group's; anyone else shows her card)."""
    if not may_check_in(db, user, group_id):
        return False
    row = db.execute(
        """SELECT 1 FROM enrolments WHERE group_id = ? AND participant_id = ?
              AND state IN ('active', 'waitlist')""",
        [group_id, participant_id],
    ).fetchone()
    return row is not None


def may_correct_attendance(db, user, group_id):
    """True when `user` may correct who came to a past session of the group: a coordinator or admin."""
    return user["role"] in CASEWORK_ROLES and may_see_group(db, user, group_id)


def may_use_roster(user):
    """True when `user` may download the roster of her sessions (first names and card hashes)."""
    return user["role"] in ROSTER_ROLES


def leaders_keeping_access(user, facilitator_ids):
    """Return the facilitator ids to save for a group `user` makes or edits: a facilitator stays one of
    them, or she would lose the group she is working on."""
    if user["role"] == "facilitator":
        facilitator_ids = facilitator_ids | {user["id"]}
    return sorted(facilitator_ids)


def may_learn_who_signed_up(user):
    """True when answers about a sign-up may say that the number was known already, and whose record it
    joined: an outreach worker (or anyone who could type any number) must not learn who is in the
    programme."""
    return user["role"] in CASEWORK_ROLES


def may_erase(user):
    """True when `user` may erase a woman's data at once, take back a withdrawal or export her data."""
    return user["role"] in ADMIN_ROLES


def may_see_participant(db, user, participant_id):
    """True when `user` may open this woman's record (her details, personal link, cards)."""
    condition, params = followed_participants(user)
    row = db.execute(
        f"SELECT 1 FROM participants p WHERE p.id = ? AND {condition}", [participant_id, *params]
    )
    return row.fetchone() is not None


def may_take_on(db, user, participant_id):
    """True when `user` may make this woman one of her caseload."""
    return user["role"] == "coordinator" and may_see_participant(db, user, participant_id)


def may_do_casework(db, user, participant_id):
    """True when `user` may call her, enrol her, record contacts, steps, progress and her CV, and correct
    her record."""
    return user["role"] in CASEWORK_ROLES and may_see_participant(db, user, participant_id)


def may_see_caseload_of_others(user):
    """True when `user` may look at any coordinator's caseload (a coordinator sees her own)."""
    return user["role"] in ("admin", "job_consultant")


def require_participant(db, user, participant_id):
    """Stop the request unless the woman exists (404) and `user` may open her record (403)."""
    if db.execute("SELECT 1 FROM participants WHERE id = ?", [participant_id]).fetchone() is None:
        abort(404)
    if not may_see_participant(db, user, participant_id):
        abort(403)


def require_casework(db, user, participant_id, present=True):
    """Stop the request unless `user` may do casework for her (404, 403), and, with `present`, unless she is
    still in the programme's lists (409 once she withdrew)."""
    require_participant(db, user, participant_id)
    if not may_do_casework(db, user, participant_id):
        abort(403)
    if present:
        require_present(db, participant_id)


def require_present(db, participant_id):
    """Stop the request (409) when she withdrew her consent: nothing more is done for her (no link, card,
    text, offer or joined sign-up), whatever an old page still offers."""
    row = db.execute("SELECT withdrawn_at FROM participants WHERE id = ?", [participant_id]).fetchone()
    if row is not None and row["withdrawn_at"] is not None:
        abort(409)


def require_group(db, user, group_id, change=False):
    """Stop the request unless the group exists (404) and `user` may see, or change, it (403)."""
    if db.execute("SELECT 1 FROM groups WHERE id = ?", [group_id]).fetchone() is None:
        abort(404)
    allowed = may_change_group if change else may_see_group
    if not allowed(db, user, group_id):
        abort(403)
