"""The programme's results: known outcomes give exactly the expected counts, each woman once, the erased
ones included."""

import html
import io
import re
import zipfile

import pytest

from blueprints.privacy import erasure
from blueprints.reports.queries import measures_on

from .conftest import client_as, csrf_token_from, post_form, translated

pytestmark = pytest.mark.usefixtures("fixed_clock")


def expected(**counts):
    return {
        "enrolled": 0,
        "company_offer": 0,
        "small_job": 0,
        "ordinary_job": 0,
        "education": 0,
        "left_other": 0,
    } | counts


def test_each_measure_counts_the_women_it_should_by_each_day(db, programme):
    assert measures_on(db, "2026-01-31") == expected()
    assert measures_on(db, "2026-05-01") == expected(enrolled=2, company_offer=1, small_job=1, left_other=1)
    # Bahar came back in June: she no longer counts as left, and as enrolled only once.
    assert measures_on(db, "2026-06-30") == expected(enrolled=2, company_offer=1, small_job=1)
    assert measures_on(db, "2026-12-31") == expected(
        enrolled=3, company_offer=1, small_job=1, ordinary_job=1, education=1
    )
    assert measures_on(db, "2027-01-13")["enrolled"] == 4


def test_an_erased_womans_outcome_still_counts(db, programme):
    before = measures_on(db, "2026-12-31")
    assert erasure.erase(db, programme["Chen"], "withdrawn", user_id=None)
    assert db.execute("SELECT count(*) FROM participants WHERE first_name = 'Chen'").fetchone()[0] == 0
    assert measures_on(db, "2026-12-31") == before
    assert measures_on(db, "2026-07-31")["enrolled"] == 2  # she enrolled in August


def test_a_company_visit_is_not_an_offer_in_a_company_even_after_erasure(db, programme):
    erasure.erase(db, programme["Bahar"], "withdrawn", user_id=None)
    assert measures_on(db, "2026-12-31")["company_offer"] == 1  # Amina's internship only


# ---- The programme's settings, milestones and results page ----------------------------------------------


def test_an_admin_sets_the_programme_and_bad_input_loses_nothing_typed(app, db, staff):
    import settings

    admin = client_as(app, "admin")
    form = {
        "programme_name": "Beskæftigelse til kvinder",
        "funder": "SIRI",
        "programme_starts_on": "2026-01-01",
        "programme_ends_on": "2025-12-31",
        "monthly_public_cost": "20000",
        "price_per_woman": "150000",
        "pay_per_participant": "0",
    }
    response = post_form(admin, "/ar/programme", form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert translated(app, "ar", "The last day is before the first.") in html
    assert 'value="Beskæftigelse til kvinder"' in html and 'value="SIRI"' in html
    assert post_form(admin, "/da/programme", form | {"programme_ends_on": "2028-12-31"}).status_code == 302
    assert settings.get_text(db, "programme_name") == "Beskæftigelse til kvinder"
    assert settings.get_date(db, "programme_starts_on").isoformat() == "2026-01-01"
    assert settings.get(db, "price_per_woman") == 150_000
    too_long = post_form(admin, "/da/programme", form | {"funder": "x" * 201, "programme_ends_on": ""})
    assert too_long.status_code == 400 and settings.get_text(db, "funder") == "SIRI"
    for field, value, message in (
        ("monthly_public_cost", "20.000 kr", "Write a whole number."),
        ("price_per_woman", "-5", "Between %(min)s and %(max)s."),
        ("pay_per_participant", "2", "Choose how the municipality pays."),
    ):
        refused = post_form(admin, "/da/programme", form | {"programme_ends_on": "", field: value})
        assert refused.status_code == 400, field
        assert translated(app, "da", message, min=0, max=10_000_000) in refused.get_data(as_text=True) or (
            translated(app, "da", message, min=0, max=1_000_000) in refused.get_data(as_text=True)
        ), field
    assert settings.get(db, "monthly_public_cost") == 20_000 and settings.get(db, "pay_per_participant") == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"due_on": "31/12/2026"}, "Write a date as year-month-day, e.g. 2026-03-01."),
        ({"measure": "everyone"}, "Choose one of the measures."),
        ({"target": "lots"}, "Write a whole number."),
        ({"target": "-1"}, "Between %(min)s and %(max)s."),
        ({"target": "150", "share": "y"}, "A share is at most 100 %."),
    ],
)
def test_a_milestone_with_bad_input_says_why(app, db, staff, fields, message):
    admin = client_as(app, "admin")
    good = {"due_on": "2026-12-31", "measure": "enrolled", "target": "50"}
    data = {f"milestone-{key}": value for key, value in (good | fields).items()}
    token = csrf_token_from(admin.get("/da/programme").get_data(as_text=True))
    response = admin.post("/da/programme/milestones", data={"milestone-csrf_token": token, **data})
    assert response.status_code == 400
    expected = (
        translated(app, "da", message, min=0, max=100000)
        if "%(" in message
        else translated(app, "da", message)
    )
    assert expected in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM milestones").fetchone()[0] == 0


def test_the_results_page_shows_each_milestone_against_the_figures_on_its_day(app, db, staff, programme):
    from blueprints.reports import queries

    for due_on, measure, target, share in (
        ("2026-06-30", "enrolled", 2, 0),  # reached: Amina and Bahar
        ("2026-06-30", "company_offer", 60, 1),  # 1 of 2 enrolled = 50 %: missed
        ("2026-12-31", "ordinary_job", 1, 0),  # Amina: reached
        ("2028-12-31", "ordinary_job", 25, 0),  # not yet
    ):
        queries.add_milestone(db, due_on, measure, target, share, staff["admin"])
    coordinator = client_as(app, "coordinator")
    html = coordinator.get("/da/results").get_data(as_text=True)
    rows = re.findall(
        r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>",
        html,
        re.S,
    )
    states = [
        (target.strip(), now.strip(), re.sub(r"<[^>]+>", "", state).strip())
        for _, _, target, now, state in rows
    ]
    reached, missed, not_yet = (translated(app, "da", word) for word in ("Reached", "Not reached", "Not yet"))
    assert states == [
        ("2", "2", reached),
        ("60 %", "50 %", missed),
        ("1", "1", reached),
        ("25", "1", not_yet),
    ]
    for name in ("Amina", "Bahar", "Chen"):
        assert name not in html  # numbers, never names


def test_a_milestone_is_deleted_and_the_deletion_logged(app, db, staff):
    from blueprints.reports import queries

    milestone = queries.add_milestone(db, "2026-12-31", "enrolled", 50, 0, staff["admin"])
    admin = client_as(app, "admin")
    token = csrf_token_from(admin.get("/da/programme").get_data(as_text=True))
    assert (
        admin.post(f"/da/programme/milestones/{milestone}/delete", data={"csrf_token": token}).status_code
        == 302
    )
    assert queries.milestones(db) == []
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'milestone.delete'").fetchone()[0] == 1


# ---- The steering group: numbers, never a woman ----------------------------------------------------------


def crawl(client, start):
    """Every page and file of this app reachable by links from `start`, as this client sees them:
    {path with its query: text} (a workbook's text is its strings)."""
    seen, waiting = {}, [start]
    while waiting:
        path = waiting.pop()
        if path in seen:
            continue
        response = client.get(path)
        if response.status_code != 200:
            seen[path] = ""
        elif response.mimetype.endswith("spreadsheetml.sheet"):
            with zipfile.ZipFile(io.BytesIO(response.data)) as workbook:
                seen[path] = " ".join(
                    workbook.read(name).decode() for name in workbook.namelist() if name.endswith(".xml")
                )
        else:
            seen[path] = response.get_data(as_text=True)
        if response.mimetype != "text/html":
            continue
        for link in re.findall(r'href="(/[a-z]{2}/[^"#]*)', seen[path]):
            link = html.unescape(link)
            if link not in seen:
                waiting.append(link)
    return seen


def test_the_steering_group_sees_no_name_phone_or_id_anywhere(app, db, staff, programme):
    from blueprints.reports import queries

    queries.add_milestone(db, "2026-12-31", "education", 1, 0, staff["admin"])
    queries.add_milestone(db, "2026-12-31", "education", 10, 1, staff["admin"])  # a share: 1 of 3 then
    db.execute("UPDATE participants SET phone = '+4520123456' WHERE first_name = 'Amina'")
    member = client_as(app, "steering_group")
    pages = crawl(member, "/da/")
    assert "/da/results" in pages and pages["/da/results"]
    # Every page and file she can reach: the dashboard by each breakdown, the report (this half-year: no
    # programme start is set), its workbook and its CSV.
    assert {
        "/da/results?by=estate",
        "/da/report",
        "/da/report.xlsx?period=2027H1",
        "/da/report.csv?period=2027H1",
    } <= set(pages)
    everything = " ".join(pages.values())
    for name in ("Amina", "Bahar", "Chen", "Dilan", "Esra"):
        assert name not in everything
    assert "20123456" not in everything and "20 12 34 56" not in everything
    assert not re.search(r"/participants/\d+", everything)  # no link to a woman's record, no id
    # What is small is "<5", and no share gives it away: 1 in education of 4 enrolled.
    results = pages["/da/results"]
    education = translated(app, "da", "In education")
    assert re.search(rf'<th scope="row"><bdi>{education}</bdi></th><td>&lt;5</td>\s*<td></td>', results)
    assert "25 %" not in results and "33 %" not in results
    assert member.get("/da/participants").status_code == 403
    assert member.get("/api/v1/reference").status_code == 403


def test_staff_who_see_the_records_see_exact_counts(app, db, staff, programme):
    html = client_as(app, "coordinator").get("/da/results").get_data(as_text=True)
    education = translated(app, "da", "In education")
    assert re.search(rf'<th scope="row"><bdi>{education}</bdi></th><td>1</td>\s*<td>25 %</td>', html)


def test_the_steering_group_needs_no_second_factor_and_changes_her_own_password(app, db, staff):
    app.config["REQUIRE_2FA"] = True
    member = client_as(app, "steering_group")
    assert member.get("/da/").status_code == 200
    assert member.get("/da/account").status_code == 200


def test_the_way_to_work_by_channel(app, db, staff, programme):
    from blueprints.reports import queries

    channels = {"Amina": "door_to_door", "Bahar": "door_to_door", "Chen": "local_tv", "Dilan": "local_tv"}
    for name, channel in channels.items():
        stage = "new" if name == "Dilan" else "enrolled"
        db.execute(
            "UPDATE participants SET channel = ?, stage = ? WHERE id = ?", [channel, stage, programme[name]]
        )
    erasure.erase(db, programme["Chen"], "withdrawn", user_id=None)  # still counted, from her tally
    funnel = queries.funnel_by_channel(db)
    # signed up, contacted, enrolled, offer in a company, small job, job or education
    assert funnel["door_to_door"] == [2, 2, 2, 1, 1, 1]  # Amina all the way; Bahar's visit is no offer
    assert funnel["local_tv"] == [2, 1, 1, 0, 0, 1]  # Chen (erased) to education; Dilan never reached
    assert funnel[""] == [1, 1, 1, 0, 0, 0]  # Esra: no channel recorded


def test_the_steering_group_sees_the_way_to_work_with_small_counts_protected(app, db, staff, programme):
    member_html = client_as(app, "steering_group").get("/da/results").get_data(as_text=True)
    table = member_html.split('id="way-to-work"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td>([^<]*)</td>", table)
    assert cells and all(cell in ("&lt;5", "0") or int(cell) >= 5 for cell in cells), cells
    coordinator_html = client_as(app, "coordinator").get("/da/results").get_data(as_text=True)
    exact = coordinator_html.split('id="way-to-work"', 1)[1].split("</table>", 1)[0]
    assert "&lt;5" not in exact and "<td>4</td>" in exact  # all four enrolled women, exactly


# ---- The dashboard's tables ---------------------------------------------------------------------------------


def test_month_by_month_counts_each_womans_firsts_once_and_her_leaving_for_other_reasons(db, programme):
    from blueprints.reports import queries

    def nonzero(flows):
        return {
            month: {k: v for k, v in counts.items() if v}
            for month, counts in flows.items()
            if any(counts.values())
        }

    expected = {
        "2026-02": {"enrolled": 2},  # Amina and Bahar; Bahar's return in June is no new enrolment
        "2026-03": {"company_offer": 1},  # Amina's internship; Bahar's visit is no offer
        "2026-04": {"left_other": 1},  # Bahar moved
        "2026-05": {"small_job": 1},  # Amina's small job (her first offer was in March)
        "2026-08": {"enrolled": 1},  # Chen
        "2026-09": {"ordinary_job": 1},  # Amina, who left for it: not "left for other reasons"
        "2026-10": {"education": 1},  # Chen
        "2027-01": {"enrolled": 1},  # Esra
    }
    flows = queries.flows_by_month(db, "2026-01", "2027-01")
    assert list(flows) == queries.months_between("2026-01", "2027-01") and len(flows) == 13
    assert nonzero(flows) == expected
    enrolled_by_the_end_of_2026 = sum(
        counts["enrolled"] for month, counts in flows.items() if month <= "2026-12"
    )
    assert enrolled_by_the_end_of_2026 == queries.measures_on(db, "2026-12-31")["enrolled"] == 3
    erasure.erase(db, programme["Chen"], "withdrawn", user_id=None)
    erasure.erase(db, programme["Bahar"], "withdrawn", user_id=None)
    assert nonzero(queries.flows_by_month(db, "2026-01", "2027-01")) == expected  # from their tallies


def test_the_way_to_work_by_estate_subgroup_and_campaign_counts_erased_women_too(db, staff, programme):
    from blueprints.reports import queries

    estate = db.execute("INSERT INTO estates (name, municipality) VALUES ('Vejleåparken', 'Ishøj')").lastrowid
    campaign = db.execute(
        """INSERT INTO campaigns (name, starts_on, ends_on, created_at)
           VALUES ('Forår', '2026-01-01', '2026-03-31', '2026-01-01')"""
    ).lastrowid
    for name in ("Amina", "Chen", "Dilan"):
        db.execute(
            "UPDATE participants SET estate_id = ?, campaign_id = ?, subgroup = 'job_ready' WHERE id = ?",
            [estate, campaign, programme[name]],
        )
    erasure.erase(db, programme["Chen"], "withdrawn", user_id=None)
    # signed up, contacted, enrolled, offer in a company, small job, job or education
    assert queries.funnel_by(db, "estate", "2026-12")[estate] == [3, 2, 2, 1, 1, 2]
    assert queries.funnel_by(db, "campaign", "2026-12")[campaign] == [3, 2, 2, 1, 1, 2]
    by_subgroup = queries.funnel_by(db, "subgroup", "2026-12")
    assert by_subgroup["job_ready"] == [3, 2, 2, 1, 1, 2]
    # Bahar and Esra, who was first reached when she enrolled in January 2027: not by the end of 2026.
    assert by_subgroup["unknown"] == [2, 1, 1, 0, 0, 0]
    # By the end of June: Chen was not enrolled yet, Amina was in a small job.
    assert queries.funnel_by(db, "estate", "2026-06")[estate] == [3, 1, 1, 1, 1, 0]


def a_session(db, group, starts_at, cancelled=False):
    return db.execute(
        "INSERT INTO sessions (group_id, starts_at, ends_at, cancelled_at) VALUES (?, ?, ?, ?)",
        [group, starts_at, starts_at, starts_at if cancelled else None],
    ).lastrowid


def checked_in(db, session, woman):
    db.execute(
        """INSERT INTO attendance (session_id, participant_id, checked_in_at, received_at, method, enrolled, client_id)
           VALUES (?, ?, '2026-01-01', '2026-01-01', 'qr', 1, ?)""",
        [session, woman, f"{session}-{woman}"],
    )


def test_attendance_per_group_per_month_keeps_the_erased_womens_check_ins(db, programme):
    from blueprints.reports import queries

    cooking = db.execute(
        "INSERT INTO groups (name, activity, created_at) VALUES ('Madklub', 'cooking', '2026')"
    ).lastrowid
    walking = db.execute(
        "INSERT INTO groups (name, activity, created_at) VALUES ('Gåtur', 'light_exercise', '2026')"
    ).lastrowid
    november = [a_session(db, cooking, f"2026-11-{day:02d}T10:00:00+01:00") for day in (3, 10)]
    cancelled = a_session(db, cooking, "2026-11-17T10:00:00+01:00")
    december = a_session(db, cooking, "2026-12-01T10:00:00+01:00")
    a_session(db, walking, "2027-01-20T10:00:00+01:00")  # after now: not held yet
    for session in [*november, cancelled]:
        checked_in(db, session, programme["Amina"])
        checked_in(db, session, programme["Chen"])
    db.execute("DELETE FROM attendance WHERE session_id = ?", [cancelled])  # taken back, then cancelled
    db.execute("UPDATE sessions SET cancelled_at = '2026-11-16' WHERE id = ?", [cancelled])
    checked_in(db, december, programme["Bahar"])
    erasure.erase(db, programme["Chen"], "withdrawn", user_id=None)  # her check-ins still count

    def by_month():
        groups, others, other_count = queries.attendance_by_group(db, "2026-11", "2027-01", most=5)
        assert others == [] and other_count == 0
        return [tuple(row) for row in groups]

    # The walking group has a session in January, not held yet: it shows, with nobody checked in.
    assert by_month() == [
        (walking, "Gåtur", "2027-01", 0),
        (cooking, "Madklub", "2026-11", 4),
        (cooking, "Madklub", "2026-12", 1),
    ]
    # Sessions held: the cancelled one is not; January's is not begun by now.
    held = queries.sessions_held(db, "2026-11", "2027-01", "2027-01-13T09:00:00+01:00")
    assert held == {"2026-11": (1, 2), "2026-12": (1, 1), "2027-01": (0, 0)}
    # A check-in taken back (a correction) no longer counts, and a session moved counts in its new month.
    db.execute("DELETE FROM attendance WHERE session_id = ?", [december])
    db.execute("UPDATE sessions SET starts_at = '2026-11-24T10:00:00+01:00' WHERE id = ?", [december])
    assert by_month()[1:] == [(cooking, "Madklub", "2026-11", 4)]
    assert queries.sessions_held(db, "2026-11", "2026-12", "2027-01-13T09:00:00+01:00") == {
        "2026-11": (1, 3),
        "2026-12": (0, 0),
    }
    # Every kept number is what the sessions and check-ins say.
    assert (
        db.execute(
            """SELECT count(*) FROM sessions s
            WHERE s.checked_in <> (SELECT count(*) FROM attendance a WHERE a.session_id = s.id)"""
        ).fetchone()[0]
        == 0
    )
    kept = [tuple(row) for row in db.execute("SELECT * FROM group_months WHERE sessions > 0 ORDER BY 1, 2")]
    counted = [
        tuple(row)
        for row in db.execute(
            """SELECT group_id, substr(starts_at, 1, 7), count(*), sum(checked_in + erased_attendance)
                 FROM sessions WHERE cancelled_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2"""
        )
    ]
    assert kept == counted


def test_a_table_of_many_groups_shows_the_busiest_and_the_others_together(app, db, programme):
    from blueprints.reports import figures

    for n in range(figures.MOST_GROUPS + 2):
        group = db.execute(
            "INSERT INTO groups (name, activity, created_at) VALUES (?, 'cooking', '2026')",
            [f"Gruppe {n:02d}"],
        ).lastrowid
        session = a_session(db, group, "2026-11-03T10:00:00+01:00")
        for woman in list(programme.values())[: 1 + n % 3]:  # 1, 2 or 3 check-ins
            checked_in(db, session, woman)
    with app.test_request_context("/da/results"):
        app.preprocess_request()
        table = figures.attendance(db, "2026-11", "2026-11", exact=True)
    assert len(table.rows) == figures.MOST_GROUPS + 1
    label, cells = table.rows[-1]
    assert label == translated(app, "da", "The other %(count)d groups", count=2) and cells == [
        2
    ]  # two with 1
    assert table.totals == [sum(1 + n % 3 for n in range(figures.MOST_GROUPS + 2))]


def test_the_change_on_the_four_aims_from_her_first_answer_to_her_last(db, programme):
    from blueprints.casework.queries import add_progress
    from blueprints.reports import queries

    def answers(value):
        return dict.fromkeys(queries.AIMS, value) | {"health_barriers": 3}

    add_progress(db, programme["Amina"], "2026-02-01", answers(1), "ar", None)
    add_progress(db, programme["Amina"], "2026-06-01", answers(2), "ar", None)
    add_progress(db, programme["Amina"], "2026-11-01", answers(4), "ar", None)  # +3 in all
    add_progress(db, programme["Chen"], "2026-08-01", answers(2), "ar", None)
    add_progress(db, programme["Chen"], "2026-12-01", answers(3), "ar", None)  # +1, then erased
    add_progress(db, programme["Bahar"], "2026-03-01", answers(5), "ar", None)  # answered once: not counted
    erasure.erase(db, programme["Chen"], "withdrawn", user_id=None)
    changes = queries.aims_change(db, "2026-12-31")
    assert changes["work_identity"] == (2, 2.0)  # (3 + 1) / 2
    assert changes["health_barriers"] == (2, 0.0)
    # By the end of July, Amina had moved one step and Chen had not answered twice.
    assert queries.aims_change(db, "2026-07-31")["society_norms"] == (1, 1.0)
    assert queries.aims_change(db, "2026-01-31")["society_norms"] == (0, None)


def test_every_count_the_steering_group_sees_on_the_dashboard_is_protected(app, db, staff, programme):
    html = client_as(app, "steering_group").get("/da/results").get_data(as_text=True)
    for table in re.findall(r"<table>.*?</table>", html, re.S):
        for cell in re.findall(r"<td>([^<]*)</td>", table):
            if re.fullmatch(r"\d+", cell):  # a count (shares, changes, amounts and words are not)
                assert cell == "0" or int(cell) >= 5, cell
    assert "&lt;5" in html
    # The pictures draw a hidden count as a dashed outline, never its height.
    assert 'class="hidden-count"' in html


def test_the_dashboard_shows_the_way_to_work_by_each_breakdown_and_its_charts(app, db, staff, programme):
    coordinator = client_as(app, "coordinator")
    for by in ("channel", "estate", "subgroup", "campaign", "nonsense"):
        html = coordinator.get(f"/ar/results?by={by}").get_data(as_text=True)
        # The way, enrolled, ordinary jobs, the aims; no group has met, so no attendance to draw.
        assert html.count('<svg class="chart"') == 4
        assert translated(app, "ar", "No group has met in the last 6 months.") in html
        assert 'direction="rtl"' in html  # mirrored in Arabic
    html = coordinator.get("/da/results?by=subgroup").get_data(as_text=True)
    assert translated(app, "da", "The way to work, by group of women") in html
    assert 'direction="rtl"' not in html
