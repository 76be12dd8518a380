"""Every route, anonymous and as each role: the expected 200/302/403, never a 500."""

import pytest

import clock

from .conftest import ROLES, client_as, csrf_token_from, login

pytestmark = pytest.mark.usefixtures("fixed_clock")  # the campaign and the sessions around a known day

WHO = ("anonymous",) + ROLES
STAFF = dict.fromkeys(ROLES, 200)
# Groups: coordinators and admins see all, a facilitator her own (the test's group is hers).
GROUPS = {"anonymous": 302, "outreach": 403, "job_consultant": 403, "steering_group": 403, "other": 200}
CASEWORK = {"anonymous": 302, "coordinator": 200, "admin": 200, "job_consultant": 200, "other": 403}
ADMIN = {"anonymous": 302, "admin": 200, "other": 403}

# endpoint -> (method, path with {lang} and ids, {who: status}); "anonymous" falls back to `other`.
EXPECTED = {
    "pwa.root": ("GET", "/", {"other": 302}),
    "pwa.offline": ("GET", "/{lang}/offline", {"other": 200}),
    "pwa.manifest": ("GET", "/{lang}/manifest.webmanifest", {"other": 200}),
    "pwa.service_worker": ("GET", "/sw.js", {"other": 200}),
    "static": ("GET", "/static/css/app.css", {"other": 200}),
    "auth.login": ("GET", "/{lang}/login", {"anonymous": 200, "other": 302}),
    "auth.logout": ("POST", "/{lang}/logout", {"other": 302}),
    "auth.account": ("GET", "/{lang}/account", {"anonymous": 302, "other": 200}),
    "auth.login_code": ("GET", "/{lang}/login/code", {"other": 302}),  # only half-way through a login
    "auth.two_factor_setup": ("GET", "/{lang}/account/two-factor", {"anonymous": 302, "other": 200}),
    "auth.new_recovery_codes": ("POST", "/{lang}/account/recovery-codes", {"anonymous": 302, "other": 400}),
    "auth.two_factor_off": ("POST", "/{lang}/account/two-factor/off", {"anonymous": 302, "other": 400}),
    "home.index": ("GET", "/{lang}/", {"anonymous": 302, "other": 200}),
    "home.consent_texts": ("GET", "/{lang}/consent", {"steering_group": 403, "anonymous": 302, "other": 200}),
    "admin.users": ("GET", "/{lang}/admin/users", {"anonymous": 302, "admin": 200, "other": 403}),
    "admin.set_user_active": (
        "POST",
        "/{lang}/admin/users/{outreach_id}/active",
        {"anonymous": 302, "admin": 302, "other": 403},
    ),
    "admin.user": (
        "GET",
        "/{lang}/admin/users/{outreach_id}",
        {"anonymous": 302, "admin": 200, "other": 403},
    ),
    "admin.reset_password": (
        "POST",
        "/{lang}/admin/users/{outreach_id}/password",
        {"anonymous": 302, "admin": 400, "other": 403},
    ),
    "admin.reset_two_factor": (
        "POST",
        "/{lang}/admin/users/{outreach_id}/two-factor",
        {"anonymous": 302, "admin": 302, "other": 403},
    ),
    "admin.change_role": (
        "POST",
        "/{lang}/admin/users/{outreach_id}/role",
        {"anonymous": 302, "admin": 400, "other": 403},
    ),
    "reports.programme": ("GET", "/{lang}/programme", ADMIN),
    "reports.add_milestone": (
        "POST",
        "/{lang}/programme/milestones",
        {"anonymous": 302, "admin": 400, "other": 403},
    ),
    "reports.delete_milestone": (
        "POST",
        "/{lang}/programme/milestones/999/delete",
        {"anonymous": 302, "admin": 404, "other": 403},
    ),
    "reports.results": (
        "GET",
        "/{lang}/results",
        {"anonymous": 302, "admin": 200, "coordinator": 200, "steering_group": 200, "other": 403},
    ),
    "reports.report": (
        "GET",
        "/{lang}/report",
        {"anonymous": 302, "admin": 200, "coordinator": 200, "steering_group": 200, "other": 403},
    ),
    "reports.report_xlsx": (
        "GET",
        "/{lang}/report.xlsx",
        {"anonymous": 302, "admin": 200, "coordinator": 200, "steering_group": 200, "other": 403},
    ),
    "reports.report_csv": (
        "GET",
        "/{lang}/report.csv",
        {"anonymous": 302, "admin": 200, "coordinator": 200, "steering_group": 200, "other": 403},
    ),
    "reports.report_texts": (
        "POST",
        "/{lang}/report/texts",
        {"anonymous": 302, "admin": 302, "other": 403},  # empty texts are texts
    ),
    "outreach.signup": ("GET", "/{lang}/signup", {"steering_group": 403, "anonymous": 302, "other": 200}),
    "outreach.signup_post": (
        "POST",
        "/{lang}/signup",
        {"steering_group": 403, "anonymous": 302, "other": 400},
    ),
    "outreach.campaigns": (
        "GET",
        "/{lang}/campaigns",
        {"anonymous": 302, "coordinator": 200, "admin": 200, "other": 403},
    ),
    "outreach.campaign": (
        "GET",
        "/{lang}/campaigns/{campaign_id}",
        {"anonymous": 302, "coordinator": 200, "admin": 200, "other": 403},
    ),
    "outreach.poster": (
        "GET",
        "/{lang}/campaigns/{campaign_id}/posters/local_tv",
        {"anonymous": 302, "coordinator": 200, "admin": 200, "other": 403},
    ),
    "outreach.self_signup": ("GET", "/{lang}/j/{code}", {"other": 200}),
    "outreach.self_signup_thanks": ("GET", "/{lang}/j/{code}/thanks", {"other": 200}),
    "outreach.my_signups": (
        "GET",
        "/{lang}/signups/mine",
        {"steering_group": 403, "anonymous": 302, "other": 200},
    ),
    "groups.groups": ("GET", "/{lang}/groups", GROUPS),
    "groups.today": ("GET", "/{lang}/today", GROUPS),
    "checkin.scanner": ("GET", "/{lang}/scan", GROUPS),
    "groups.new_group": ("GET", "/{lang}/groups/new", GROUPS),
    "groups.group": ("GET", "/{lang}/groups/{group_id}", GROUPS),
    "groups.edit_group": ("GET", "/{lang}/groups/{group_id}/edit", GROUPS),
    "groups.printable_schedule": ("GET", "/{lang}/groups/{group_id}/schedule", GROUPS),
    "groups.enrol": ("POST", "/{lang}/groups/{group_id}/members", GROUPS | {"other": 400}),
    "groups.leave": (
        "POST",
        "/{lang}/groups/{group_id}/members/{participant_id}/leave",
        GROUPS | {"other": 302},
    ),
    "groups.session": ("GET", "/{lang}/groups/{group_id}/sessions/{session_id}", GROUPS),
    "groups.add_session": ("GET", "/{lang}/groups/{group_id}/sessions/new", GROUPS),
    "groups.move_session": (
        "POST",
        "/{lang}/groups/{group_id}/sessions/{session_id}/move",
        GROUPS | {"other": 400},
    ),
    "groups.cancel_session": (
        "POST",
        "/{lang}/groups/{group_id}/sessions/{session_id}/cancel",
        GROUPS | {"other": 400},
    ),
    "groups.reinstate_session": (
        "POST",
        "/{lang}/groups/{group_id}/sessions/{session_id}/reinstate",
        GROUPS | {"other": 302},
    ),
    "groups.describe_session": (
        "POST",
        "/{lang}/groups/{group_id}/sessions/{session_id}/topic",
        GROUPS | {"other": 302},
    ),
    "groups.remind": (
        "POST",
        "/{lang}/groups/{group_id}/sessions/{session_id}/remind",
        GROUPS | {"other": 302},
    ),
    "checkin.register": ("GET", "/{lang}/groups/{group_id}/register", GROUPS),
    "checkin.correct_attendance": (
        "GET",
        "/{lang}/groups/{group_id}/sessions/{session_id}/attendance",
        CASEWORK | {"job_consultant": 403},
    ),
    "checkin.register_csv": ("GET", "/{lang}/groups/{group_id}/register.csv", GROUPS),
    "checkin.register_xlsx": ("GET", "/{lang}/groups/{group_id}/register.xlsx", GROUPS),
    "participants.follow_up": ("GET", "/{lang}/follow-up", CASEWORK),
    "participants.new_card": ("POST", "/{lang}/participants/{participant_id}/card", CASEWORK),
    "participants.blank_card_sheet": (
        "GET",
        "/{lang}/cards/blank",
        {"steering_group": 403, "anonymous": 302, "other": 200},
    ),
    # Amina got a card just above, so there is no one left to print for: back to the group.
    "groups.print_cards": (
        "POST",
        "/{lang}/groups/{group_id}/cards",
        CASEWORK | {"coordinator": 302, "admin": 302, "job_consultant": 403},
    ),
    "participants.participants": ("GET", "/{lang}/participants", CASEWORK),
    "participants.participant": ("GET", "/{lang}/participants/{participant_id}", CASEWORK),
    "participants.new_link": ("POST", "/{lang}/participants/{participant_id}/link", CASEWORK),
    # No group chosen: the record again, with the message (400).
    "participants.offer": (
        "POST",
        "/{lang}/participants/{participant_id}/offers",
        CASEWORK | {"coordinator": 400, "admin": 400, "job_consultant": 400},
    ),
    "participants.withdraw_offer": (
        "POST",
        "/{lang}/participants/{participant_id}/offers/{group_id}/withdraw",
        CASEWORK | {"coordinator": 302, "admin": 302, "job_consultant": 302},
    ),
    # No such sign-up waiting: 404 for those who may answer, 403 before that for the others.
    "outreach.join_signup": (
        "POST",
        "/{lang}/signups/no-such-signup/same-woman",
        CASEWORK | {"coordinator": 404, "admin": 404, "job_consultant": 404},
    ),
    "outreach.separate_signup": (
        "POST",
        "/{lang}/signups/no-such-signup/another-woman",
        CASEWORK | {"coordinator": 404, "admin": 404, "job_consultant": 404},
    ),
    "participants.take_on": (
        "POST",
        "/{lang}/participants/{participant_id}/take",
        {"anonymous": 302, "coordinator": 302, "other": 403},
    ),
    "groups.search": ("POST", "/{lang}/groups/{group_id}/search", GROUPS),
    "participants.revoke_link": (
        "POST",
        "/{lang}/participants/{participant_id}/link/revoke",
        CASEWORK | {"coordinator": 302, "admin": 302, "job_consultant": 302},
    ),
    "privacy.withdraw": ("GET", "/{lang}/participants/{participant_id}/withdraw", CASEWORK),
    "privacy.undo_withdrawal": (
        "POST",
        "/{lang}/participants/{participant_id}/withdrawal/undo",
        ADMIN | {"admin": 302},
    ),
    "privacy.erase": ("GET", "/{lang}/participants/{participant_id}/erase", ADMIN),
    "privacy.export": ("GET", "/{lang}/participants/{participant_id}/export", ADMIN),
    "privacy.overview": ("GET", "/{lang}/admin/privacy", ADMIN),
    "privacy.audit_export": ("GET", "/{lang}/admin/privacy/audit.csv", ADMIN),
    # Her own page answers the same to everyone without her cookie: nothing to show.
    "me.link_page": ("GET", "/{lang}/c/AAAAAAAAAAAAAAAAAAAAAA", {"other": 410}),
    "me.open_link": ("POST", "/{lang}/c/AAAAAAAAAAAAAAAAAAAAAA", {"other": 410}),
    "me.page": ("GET", "/{lang}/c", {"other": 410}),
    "me.calendar": ("GET", "/{lang}/c/calendar.ics", {"other": 410}),
    "me.feed": ("GET", "/{lang}/c/feed/AAAAAAAAAAAAAAAAAAAAAA.ics", {"other": 410}),
    "me.manifest": ("GET", "/{lang}/c/manifest.webmanifest", {"other": 200}),
    "me.forget_page": ("GET", "/{lang}/c/forget", {"other": 200}),
    "me.forget": ("POST", "/{lang}/c/forget", {"other": 200}),
    "casework.calls": ("GET", "/{lang}/calls", CASEWORK),
    "casework.call": ("GET", "/{lang}/participants/{participant_id}/call", CASEWORK),
    "casework.dial": (
        "GET",
        "/{lang}/participants/{participant_id}/dial/tel",
        CASEWORK | {"coordinator": 303, "admin": 303, "job_consultant": 303},
    ),
    "casework.enrol": ("GET", "/{lang}/participants/{participant_id}/enrol", CASEWORK),
    # Not enrolled: back to her record.
    "casework.leave": (
        "GET",
        "/{lang}/participants/{participant_id}/leave",
        CASEWORK | {"coordinator": 302, "admin": 302, "job_consultant": 302},
    ),
    "casework.off_benefit": ("GET", "/{lang}/participants/{participant_id}/benefit", CASEWORK),
    "casework.caseload": ("GET", "/{lang}/my-women", CASEWORK),
    "casework.contact_form": ("GET", "/{lang}/participants/{participant_id}/contact", CASEWORK),
    # No way of contact chosen: the form again, with the message (400).
    "casework.add_contact": (
        "POST",
        "/{lang}/participants/{participant_id}/contacts",
        CASEWORK | {"coordinator": 400, "admin": 400, "job_consultant": 400},
    ),
    # Not enrolled: back to her record. No step nor company exists in this programme yet (404).
    "casework.new_step": (
        "GET",
        "/{lang}/participants/{participant_id}/steps/new",
        CASEWORK | {"coordinator": 302, "admin": 302, "job_consultant": 302},
    ),
    "casework.edit_step": (
        "GET",
        "/{lang}/participants/{participant_id}/steps/1",
        CASEWORK | {"coordinator": 404, "admin": 404, "job_consultant": 404},
    ),
    "casework.step_hours": (
        "POST",
        "/{lang}/participants/{participant_id}/steps/1/hours",
        CASEWORK | {"coordinator": 404, "admin": 404, "job_consultant": 404},
    ),
    "casework.delete_step": (
        "POST",
        "/{lang}/participants/{participant_id}/steps/1/delete",
        CASEWORK | {"coordinator": 404, "admin": 404, "job_consultant": 404},
    ),
    "casework.companies": ("GET", "/{lang}/companies", CASEWORK),
    "casework.company": (
        "GET",
        "/{lang}/companies/1",
        CASEWORK | {"coordinator": 404, "admin": 404, "job_consultant": 404},
    ),
    "casework.progress": ("GET", "/{lang}/participants/{participant_id}/progress", CASEWORK),
    "casework.cv": ("GET", "/{lang}/participants/{participant_id}/cv", CASEWORK),
    # No consent to show her CV: back to the CV form.
    "casework.print_cv": (
        "GET",
        "/{lang}/participants/{participant_id}/cv/print",
        CASEWORK | {"coordinator": 302, "admin": 302, "job_consultant": 302},
    ),
    "casework.edit_record": ("GET", "/{lang}/participants/{participant_id}/edit", CASEWORK),
    "casework.timeline": ("GET", "/{lang}/participants/{participant_id}/timeline", CASEWORK),
    "api.csrf_token": ("GET", "/api/v1/csrf", {"steering_group": 403, "anonymous": 401, "other": 200}),
    "api.kit": ("GET", "/api/v1/offline-kit", {"steering_group": 403, "anonymous": 401, "other": 200}),
    "api.reference": ("GET", "/api/v1/reference", {"steering_group": 403, "anonymous": 401, "other": 200}),
    "api.roster": (
        "GET",
        "/api/v1/roster",
        {"steering_group": 403, "anonymous": 401, "outreach": 403, "job_consultant": 403, "other": 200},
    ),
    "api.outbox": ("POST", "/api/v1/outbox", {"steering_group": 403, "anonymous": 401, "other": 400}),
}


@pytest.fixture
def campaign(db, staff):
    """A campaign with its posters, as a coordinator makes it."""
    from datetime import timedelta

    from blueprints.outreach import queries as outreach
    from choices import CHANNELS

    estate_id = db.execute(
        "INSERT INTO estates (name, municipality) VALUES ('Vejleåparken', 'Ishøj')"
    ).lastrowid
    for language in ("da", "ar"):
        db.execute(
            "INSERT INTO consent_texts (version, language, text, text_hash, created_at)"
            " VALUES (1, ?, 'consent', 'x', '2026-01-01')",
            [language],
        )
    today = clock.today()
    campaign_id = outreach.create_campaign(
        db,
        "Forår",
        str(today - timedelta(days=5)),
        str(today + timedelta(days=50)),
        [estate_id],
        ["da", "ar"],
        staff["coordinator"],
        CHANNELS,
    )
    return {"campaign_id": campaign_id, "code": outreach.poster_codes(db, campaign_id)["poster"]}


@pytest.fixture
def programme(db, staff):
    """A group led by the facilitator, with one enrolled woman and its sessions."""
    from blueprints.groups import queries as groups

    from .conftest import add_group, add_woman

    participant_id = add_woman(db, "Amina", "+4520123401")
    group_id = add_group(db, staff["facilitator"], weekdays=(0, 2, 4))
    groups.enrol(db, group_id, participant_id)
    session_id = groups.group_sessions(db, group_id, "2000")[-1]["id"]
    return {"group_id": group_id, "session_id": session_id, "participant_id": participant_id}


def test_every_route_is_in_the_access_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED)


def fresh_token(client, who, lang):
    page = f"/{lang}/login" if who == "anonymous" else f"/{lang}/offline"
    return csrf_token_from(client.get(page).get_data(as_text=True))


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("lang", ["da", "ar"])
def test_each_route_answers_as_expected(app, staff, campaign, programme, who, lang):
    client = client_as(app, who)
    for endpoint, (method, path, statuses) in EXPECTED.items():
        url = path.format(lang=lang, outreach_id=staff["outreach"], **campaign, **programme)
        if method == "GET":
            response = client.get(url)
        else:
            token = fresh_token(client, who, lang)
            response = client.post(url, data={"csrf_token": token, "active": "1"})
        expected = statuses.get(who, statuses["other"])
        assert response.status_code == expected, f"{who} {method} {url}"
        if endpoint == "auth.logout" and who != "anonymous":
            client = client_as(app, who)


NOT_FOUND = (404, "This page does not exist.")
WRONG_METHOD = (405, "This page cannot be used that way.")


@pytest.mark.parametrize("lang", ["da", "ar"])
@pytest.mark.parametrize(
    ("url", "answer"),
    [
        ("/xx/login", NOT_FOUND),
        ("/{lang}/nothing-here", NOT_FOUND),
        ("/{lang}/admin/users/999999/active", WRONG_METHOD),  # a form's address, opened as a page
        ("/{lang}/admin/users/abc/active", NOT_FOUND),
        ("/{lang}/admin/users/99999999999999999999/active", WRONG_METHOD),
    ],
)
def test_unknown_pages_answer_404_in_the_users_language(app, staff, lang, url, answer):
    from .conftest import translated

    client = app.test_client()
    assert login(client, "admin", lang=lang).status_code == 302
    response = client.get(url.format(lang=lang))
    status, message = answer
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert translated(app, lang, message) in html


def test_anonymous_staff_page_visit_goes_to_the_login_page(client):
    response = client.get("/tr/admin/users")
    assert response.status_code == 302
    assert response.location == "/tr/login?next=/tr/admin/users"


def test_a_role_without_access_gets_a_translated_403(app, staff):
    from .conftest import translated

    client = client_as(app, "outreach")
    response = client.get("/ur/admin/users")
    assert response.status_code == 403
    assert translated(app, "ur", "You do not have access to this page.") in response.get_data(as_text=True)
