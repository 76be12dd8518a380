"""The half-yearly and final report: its periods, its figures per half-year, its protection (it leaves the
app, so even staff see "<5"), its texts, and its files: the page, the CSV, the workbook and the command
line all carry the same figures."""

import io
import json
import re
import zipfile
from datetime import date
from html.parser import HTMLParser

import pytest

from blueprints.privacy import erasure
from blueprints.reports import periods, queries

from .conftest import client_as, csrf_token_from, post_form, stay, step, translated

pytestmark = pytest.mark.usefixtures("fixed_clock")

TODAY = date(2027, 1, 13)  # the tests' fixed clock


# ---- Periods ------------------------------------------------------------------------------------------------


def test_a_period_is_a_half_year_or_the_whole_programme():
    first_half = periods.parse("2026H1", None, None, TODAY)
    assert (first_half.first_day, first_half.last_day) == (date(2026, 1, 1), date(2026, 6, 30))
    assert (first_half.first_month, first_half.last_month) == ("2026-01", "2026-06")
    assert periods.parse("2026H2", None, None, TODAY).last_day == date(2026, 12, 31)
    for nonsense in ("2026H3", "2026h1", "26H1", "", None, "1066H1", "all "):
        assert periods.parse(nonsense, None, None, TODAY) is None
    whole = periods.parse("all", date(2025, 3, 1), date(2027, 12, 31), TODAY)
    assert (whole.first_day, whole.last_day) == (date(2025, 3, 1), date(2027, 12, 31))
    assert periods.parse("all", None, None, TODAY).first_day == date(2027, 1, 1)


def test_the_half_years_to_choose_run_from_the_programme_s_start_to_today_and_the_default_is_the_last_ended():
    keys = [p.key for p in periods.choices(date(2025, 9, 1), date(2027, 12, 31), TODAY)]
    assert keys == ["2027H1", "2026H2", "2026H1", "2025H2", "all"]
    assert periods.default(date(2025, 9, 1), None, TODAY).key == "2026H2"  # the follow-up now due
    assert periods.default(None, None, date(2027, 3, 1)).key == "2027H1"  # nothing ended yet: this one
    assert [p.key for p in periods.choices(date(2025, 9, 1), date(2026, 5, 31), TODAY)] == [
        "2026H1",
        "2025H2",
        "all",
    ]


def test_a_period_that_is_not_one_is_a_400(app, db, staff):
    response = client_as(app, "admin").get("/da/report?period=2026H9")
    assert response.status_code == 400


# ---- The figures of a half-year -----------------------------------------------------------------------------


def test_each_half_year_counts_its_own_sign_ups_and_enrolments(db, programme):
    # All five signed up on 1 January 2026 (no channel recorded); Amina and Bahar enrolled in February,
    # Chen in August (then erased), Esra in January 2027.
    erasure.erase(db, programme["Chen"], "withdrawn", user_id=None)
    assert queries.signed_up_by(db, "channel", "2026-01", "2026-06") == {"": 5}
    assert queries.signed_up_by(db, "channel", "2026-07", "2026-12") == {}
    assert queries.enrolled_by(db, "subgroup", "2026-01", "2026-06") == {"unknown": (2, 2)}
    assert queries.enrolled_by(db, "subgroup", "2026-07", "2026-12") == {"unknown": (1, 3)}
    assert queries.enrolled_by(db, "language", "2027-01", "2027-06") == {"ar": (1, 4)}
    assert queries.enrolled_by(db, "age_band", "2026-01", "2026-12") == {"unknown": (3, 3)}


# ---- The page and its files ----------------------------------------------------------------------------------


class Tables(HTMLParser):
    """The rows of every table in the report's article, each row a list of its cells' text."""

    def __init__(self):
        super().__init__()
        self.tables, self.in_report, self.cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.in_report = True
        elif self.in_report and tag == "table":
            self.tables.append([])
        elif self.in_report and tag == "tr":
            self.tables[-1].append([])
        elif self.in_report and tag in ("td", "th") and self.tables:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_report = False
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def tables_in(html):
    parser = Tables()
    parser.feed(html)
    return parser.tables


@pytest.fixture
def reported(app, db, staff, programme):
    """A programme with a campaign, a group that met, answers on the aims and a milestone."""
    from blueprints.casework.queries import add_progress

    campaign = db.execute(
        """INSERT INTO campaigns (name, starts_on, ends_on, created_at)
           VALUES ('Efterår', '2026-08-01', '2026-09-30', '2026-07-01')"""
    ).lastrowid
    db.execute(
        "UPDATE participants SET campaign_id = ?, channel = 'door_to_door' WHERE id IN (?, ?)",
        [campaign, programme["Amina"], programme["Chen"]],
    )
    group = db.execute(
        "INSERT INTO groups (name, activity, created_at) VALUES ('Madklub', 'cooking', '2026')"
    ).lastrowid
    for day in (1, 8, 15):
        session = db.execute(
            "INSERT INTO sessions (group_id, starts_at, ends_at) VALUES (?, ?, ?)",
            [group, f"2026-10-{day:02d}T10:00:00+02:00", f"2026-10-{day:02d}T12:00:00+02:00"],
        ).lastrowid
        for name in ("Amina", "Bahar", "Chen"):
            db.execute(
                """INSERT INTO attendance (session_id, participant_id, checked_in_at, received_at, method, enrolled,
                                           client_id) VALUES (?, ?, ?, ?, 'qr', 1, ?)""",
                [
                    session,
                    programme[name],
                    f"2026-10-{day:02d}T08:05:00+00:00",
                    "2026-10-01",
                    f"{session}-{name}",
                ],
            )
    aims = ("work_identity", "society_norms", "workplace_expectations", "health_barriers")
    add_progress(db, programme["Amina"], "2026-02-01", dict.fromkeys(aims, 2), "ar", None)
    add_progress(db, programme["Amina"], "2026-11-01", dict.fromkeys(aims, 4), "ar", None)
    queries.add_milestone(db, "2026-12-31", "enrolled", 50, False, None)
    return programme


def test_the_page_the_csv_the_workbook_and_the_command_line_carry_the_same_figures(app, db, staff, reported):
    admin = client_as(app, "admin")
    html = admin.get("/da/report?period=2026H2").get_data(as_text=True)
    shown = tables_in(html)
    # The 14 tables but the sign-ups, none in the half-year: "Nothing in this period."
    assert len(shown) == 13
    assert translated(app, "da", "Nothing in this period.") in html

    result = app.test_cli_runner().invoke(args=["report", "--period", "2026H2", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["report"]["key"] == "2026H2"
    written = [table for section in document["sections"] for table in section["tables"]]
    assert len(written) == 14
    written = [table for table in written if table["rows"]]
    for table, rows in zip(written, shown, strict=True):
        expected = [[table["heading"], *table["columns"]]]
        expected += [[row["label"], *map(str, row["cells"])] for row in table["rows"]]
        if table["totals"]:
            expected.append([rows[-1][0], *map(str, table["totals"])])
        assert rows == expected, table["key"]

    # The CSV: one row per figure, each the page's.
    download = admin.get("/da/report.csv?period=2026H2")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    csv_body = download.get_data(as_text=True)
    command = app.test_cli_runner().invoke(args=["report", "--period", "2026H2", "--format", "csv"])
    assert command.output == csv_body.replace("\r\n", "\n")  # the same file (the runner reads lines as \\n)
    figures_in_csv = len(csv_body.strip().splitlines()) - 1
    cells_on_page = sum(len(row) - 1 for rows in shown for row in rows[1:])
    assert figures_in_csv == cells_on_page

    # The workbook: a sheet saying what it is, then one per table.
    workbook = admin.get("/da/report.xlsx?period=2026H2")
    with zipfile.ZipFile(io.BytesIO(workbook.data)) as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
        strings = book.read("xl/sharedStrings.xml").decode()
    assert len(sheets) == 1 + 14
    assert "Efterår" in strings and "&lt;5" in strings


def test_the_command_line_writes_a_workbook_to_a_file_and_refuses_a_bad_period(
    app, db, staff, reported, tmp_path
):
    runner = app.test_cli_runner()
    target = tmp_path / "report.xlsx"
    result = runner.invoke(args=["report", "--period", "all", "--format", "xlsx", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:2] == b"PK"
    assert (
        runner.invoke(args=["report", "--period", "all", "--format", "xlsx"]).exit_code != 0
    )  # needs a file
    refused = runner.invoke(args=["report", "--period", "2026H5"])
    assert refused.exit_code != 0 and "2026H1" in refused.output


def test_every_count_in_the_report_is_protected_even_for_staff(app, db, staff, reported):
    html = client_as(app, "admin").get("/da/report?period=2026H2").get_data(as_text=True)
    titles = re.findall(r'<div class="report-table">\s*<h3>([^<]*)</h3>\s*<div class="table-scroll"', html)
    for title, rows in zip(titles, tables_in(html), strict=True):
        if title == translated(app, "da", "Groups and sessions held, month by month"):
            continue  # groups and sessions, no woman in it
        for row in rows[1:]:
            for cell in row[1:]:
                assert not re.fullmatch(r"[1-4]", cell), (row, cell)
    assert "&lt;5" in html
    for name in ("Amina", "Bahar", "Chen", "Dilan", "Esra"):
        assert name not in html


def test_the_report_shows_the_period_s_activities_participants_results_and_aims(app, db, staff, reported):
    html = client_as(app, "coordinator").get("/da/report?period=2026H2").get_data(as_text=True)
    tables = tables_in(html)
    titles = re.findall(r'<div class="report-table">\s*<h3>([^<]*)</h3>\s*<div class="table-scroll"', html)
    by_title = dict(zip(titles, tables, strict=True))
    sessions = by_title[translated(app, "da", "Groups and sessions held, month by month")]
    october = [row for row in sessions if row[0].startswith("oktober")][0]
    assert october[1:] == ["1", "3"]  # one group, three sessions
    attendance = by_title[translated(app, "da", "Attendance at the groups, month by month")]
    assert attendance[1][0] == "Madklub" and attendance[1][4] == "9"  # three women, three times, in October
    campaigns = by_title[translated(app, "da", "Campaigns")]
    assert campaigns[1][0].startswith("Efterår")
    assert translated(app, "da", "Half-yearly follow-up") in html
    assert translated(app, "da", "July to December %(year)s", year="2026") in html
    final = client_as(app, "coordinator").get("/da/report?period=all").get_data(as_text=True)
    assert translated(app, "da", "Final report") in final
    assert translated(app, "da", "Attendance at the groups, year by year") in final


def test_the_project_lead_writes_the_texts_and_bad_input_loses_nothing(app, db, staff, reported):
    admin = client_as(app, "admin")
    page = admin.get("/da/report?period=2026H2").get_data(as_text=True)
    token = csrf_token_from(page)
    typed = "Vi mødtes i Vejleåparken.\nTo nye grupper."
    response = post_form(
        admin,
        "/da/report/texts?period=2026H2",
        {"csrf_token": token, "activities": typed, "learning": "Mere tid\u202e til opkald"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert translated(app, "da", "Remove the invisible control characters.") in html
    assert "Vi mødtes i Vejleåparken.\nTo nye grupper." in html  # kept, lines and all
    response = post_form(
        admin,
        "/da/report/texts?period=2026H2",
        {"csrf_token": token, "activities": typed, "learning": "Mere tid."},
    )
    assert response.status_code == 302
    html = admin.get("/da/report?period=2026H2").get_data(as_text=True)
    assert '<div class="written">Vi mødtes i Vejleåparken.\nTo nye grupper.</div>' in html
    assert queries.report_texts(db, "2026H1") == {}  # written for its own half-year only
    document = json.loads(app.test_cli_runner().invoke(args=["report", "--period", "2026H2"]).output)
    assert [section["text"] for section in document["sections"] if section["text"]] == [typed, "Mere tid."]
    audit = db.execute("SELECT record FROM audit_log WHERE action = 'report.texts'").fetchone()
    assert audit["record"] == "period:2026H2"
    # Others read the texts, and get no form.
    coordinator = client_as(app, "coordinator").get("/da/report?period=2026H2").get_data(as_text=True)
    assert "To nye grupper." in coordinator and 'name="learning"' not in coordinator


# ---- The business case ----------------------------------------------------------------------------------------


def months(first, last):
    return (date.fromisoformat(last) - date.fromisoformat(first)).days / (365.25 / 12)


def test_the_business_case_counts_the_months_off_benefit_the_savings_and_the_payment(
    app, db, staff, programme
):
    import settings
    from blueprints.reports.figures import business_case

    settings.put(db, "monthly_public_cost", 20_000)
    settings.put(db, "price_per_woman", 100_000)
    # Amina: off benefit from March (an ordinary job from September); Bahar: off from June, back in
    # September; Chen: off from October, then erased (her tally keeps the month).
    db.execute("UPDATE participants SET off_benefit_from = '2026-03-01' WHERE id = ?", [programme["Amina"]])
    db.execute(
        "UPDATE participants SET off_benefit_from = '2026-06-01', off_benefit_until = '2026-09-01' WHERE id = ?",
        [programme["Bahar"]],
    )
    db.execute("UPDATE participants SET off_benefit_from = '2026-10-15' WHERE id = ?", [programme["Chen"]])
    erasure.erase(db, programme["Chen"], "withdrawn", user_id=None)
    off = queries.off_benefit(db, "2026-12-31")
    assert (off["ever_off"], off["off_now"], off["job_and_off"]) == (3, 2, 1)
    expected_months = (
        months("2026-03-01", "2026-12-31")
        + months("2026-06-01", "2026-09-01")
        + months("2026-10-01", "2026-12-31")
    )
    assert off["months_off"] == pytest.approx(expected_months)
    assert queries.off_benefit(db, "2026-05-31")["ever_off"] == 1  # only Amina by then

    with app.test_request_context("/da/results"):
        app.preprocess_request()
        table = business_case(db, "2026-12-31", exact=True)
        numbers = [row[0] for row in table.numbers]
        assert numbers[5] == pytest.approx(expected_months * 20_000)  # savings so far
        assert numbers[6] == 2 * 12 * 20_000  # two women still off benefit, for 12 more months
        assert numbers[7] == 100_000  # by result: Amina, in an ordinary job and off benefit
        settings.put(db, "pay_per_participant", 1)
        per_participant = business_case(db, "2026-12-31", exact=True)
        assert per_participant.numbers[7] == [3 * 100_000]  # three women enrolled by the end of 2026
        assert "100.000 kr." in str(per_participant.rows[1][1][0])
        protected = business_case(db, "2026-12-31", exact=False)
        assert protected.rows[2][1] == ["<5"] and protected.rows[5][1] == [""]  # 3 women: no amounts


def test_a_coordinator_records_when_she_came_off_benefit_and_bad_days_are_refused(app, db, staff, programme):
    coordinator = client_as(app, "coordinator")
    woman = programme["Amina"]
    page = coordinator.get(f"/da/participants/{woman}").get_data(as_text=True)
    assert f"/da/participants/{woman}/benefit" in page
    url = f"/da/participants/{woman}/benefit"
    for fields, message in (
        (
            {"off_from": "2026-05-01", "back_on": "2026-04-01"},
            "She came back on benefit after she came off it.",
        ),
        ({"off_from": "", "back_on": "2026-04-01"}, "Write first the day she came off public benefit."),
        ({"off_from": "2027-02-01", "back_on": ""}, "The day cannot be in the future."),
        ({"off_from": "1/5/2026", "back_on": ""}, "Write a date as year-month-day, e.g. 2026-03-01."),
    ):
        response = post_form(coordinator, url, fields)
        assert response.status_code == 400, fields
        html = response.get_data(as_text=True)
        assert translated(app, "da", message) in html, fields
        assert f'value="{fields["off_from"]}"' in html  # what she typed stays
    assert post_form(coordinator, url, {"off_from": "2026-09-01", "back_on": ""}).status_code == 302
    row = db.execute(
        "SELECT off_benefit_from, off_benefit_until FROM participants WHERE id = ?", [woman]
    ).fetchone()
    assert tuple(row) == ("2026-09-01", None)
    assert translated(app, "da", "Off public benefit from %(day)s", day="1. sep. 2026") in coordinator.get(
        f"/da/participants/{woman}"
    ).get_data(as_text=True)
    logged = db.execute("SELECT record FROM audit_log WHERE action = 'participant.benefit'").fetchone()
    assert logged["record"] == "off 2026-09-01 back -"
    # Cleared: nothing recorded.
    assert post_form(coordinator, url, {"off_from": "", "back_on": ""}).status_code == 302
    assert db.execute("SELECT off_benefit_from FROM participants WHERE id = ?", [woman]).fetchone()[0] is None
    # In her access export, and kept by the month in her anonymous tally when she is erased.
    post_form(coordinator, url, {"off_from": "2026-09-01", "back_on": "2026-11-02"})
    export = client_as(app, "admin").get(f"/da/participants/{woman}/export").get_data(as_text=True)
    assert translated(app, "da", "Off public benefit from") in export
    erasure.erase(db, woman, "withdrawn", user_id=None)
    tally = db.execute(
        "SELECT off_benefit_from_month, off_benefit_until_month FROM erased_tallies"
    ).fetchone()
    assert tuple(tally) == ("2026-09", "2026-11")


# ---- Every table that leaves the app is safe ----------------------------------------------------------------


def generated_programme(db, rng, women=90):
    """Women with random channels, estates, groups of women, languages and ages; random stays, results and
    answers through 2026; a few check-ins; some erased."""
    from choices import CHANNELS, SUBGROUPS

    estates = [
        db.execute("INSERT INTO estates (name, municipality) VALUES (?, 'Ishøj')", [f"E{n}"]).lastrowid
        for n in range(4)
    ]
    group = db.execute(
        "INSERT INTO groups (name, activity, created_at) VALUES ('G', 'cooking', '2026')"
    ).lastrowid
    sessions = [
        db.execute(
            "INSERT INTO sessions (group_id, starts_at, ends_at) VALUES (?, ?, ?)",
            [group, f"2026-{m:02d}-10T10:00:00+01:00", f"2026-{m:02d}-10T12:00:00+01:00"],
        ).lastrowid
        for m in range(7, 13)
    ]
    ids = []
    for n in range(women):
        woman = db.execute(
            """INSERT INTO participants (first_name, phone, language, estate_id, year_of_birth, subgroup, channel,
                                         registered_at, stage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'contacted')""",
            [
                f"W{n}",
                f"+4520{n:06d}",
                rng.choice(["da", "tr", "ur", "ar"]),
                rng.choice(estates),
                rng.choice([None, 1970, 1985, 1995, 2004]),
                rng.choice(list(SUBGROUPS)),
                rng.choice(list(CHANNELS)[:5]),
                f"2026-{rng.randint(1, 11):02d}-01T10:00:00+01:00",
            ],
        ).lastrowid
        ids.append(woman)
        if rng.random() < 0.7:
            month = rng.randint(1, 11)
            stay(db, woman, f"2026-{month:02d}-05")
            for kind in rng.sample(
                ["internship", "small_job", "ordinary_job", "education", "company_visit"], 2
            ):
                if rng.random() < 0.4:
                    step(db, woman, kind, f"2026-{rng.randint(month, 12):02d}-15")
            for session in rng.sample(sessions, rng.randint(0, 3)):
                db.execute(
                    """INSERT INTO attendance (session_id, participant_id, checked_in_at, received_at, method,
                                               enrolled, client_id) VALUES (?, ?, '2026-07-10', '2026-07-10', 'qr', 1, ?)""",
                    [session, woman, f"{session}-{woman}"],
                )
    for woman in rng.sample(ids, 8):
        erasure.erase(db, woman, "withdrawn", user_id=None)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_count_in_a_report_s_tables_can_be_worked_out_from_what_is_shown(app, db, staff, seed):
    import random

    from blueprints.reports import figures
    from blueprints.reports.suppression import suppress

    from .test_suppression import solvable_from_the_sums

    generated_programme(db, random.Random(seed))
    checked = 0
    with app.test_request_context("/da/report"):
        app.preprocess_request()
        for key in ("2026H2", "all"):
            period = periods.parse(key, date(2026, 1, 1), date(2026, 12, 31), TODAY)
            for section in figures.report(db, period, TODAY, "2027-01-13T09:00:00+01:00"):
                for table in section.tables:
                    if table.totals is None or not table.rows or not table.numbers:
                        continue  # not a table of counts with totals
                    published = suppress(table.numbers)
                    width = len(table.columns)
                    # What the report shows is the protected table: its cells and its totals.
                    assert [cells for _label, cells in table.rows] == [
                        [published.shown(r, c) for c in range(width)] for r in range(len(table.rows))
                    ], table.key
                    assert table.totals == [published.shown(len(table.rows), c) for c in range(width)]
                    shown = [cell for _label, cells in table.rows for cell in cells] + list(table.totals)
                    assert not any(cell in (1, 2, 3, 4) for cell in shown), table.key
                    # Even with every row's total published too, no hidden count follows from the sums.
                    assert solvable_from_the_sums(published) == [], table.key
                    checked += published.hidden != set()
    assert checked >= 5  # tables that really hid something
