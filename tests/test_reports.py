"""The programme's results: known outcomes give exactly the expected counts, each woman once, the erased
ones included."""

import pytest

from blueprints.privacy import erasure
from blueprints.reports.queries import measures_on

from .conftest import add_woman

pytestmark = pytest.mark.usefixtures("fixed_clock")


def stay(db, woman, enrolled_on, left_on=None, reason=None):
    db.execute(
        """INSERT INTO visitations (participant_id, enrolled_on, benefit, action_plan, left_on, leaving_reason,
                                    recorded_at) VALUES (?, ?, 'activity_ready', 'not_yet', ?, ?, ?)""",
        [woman, enrolled_on, left_on, reason, enrolled_on],
    )


def step(db, woman, kind, started_on):
    db.execute(
        "INSERT INTO steps (participant_id, kind, started_on, recorded_at) VALUES (?, ?, ?, ?)",
        [woman, kind, started_on, started_on],
    )


@pytest.fixture
def programme(db, staff):
    """Five women with known ways (2026):
    Amina: enrolled in February, an internship in March, a small job in May, an ordinary job in September,
           when she left for it.
    Bahar: enrolled in February, a company visit (not an offer), left in April (moved), back in June.
    Chen:  enrolled in August, education from October; erased since (her tally still counts).
    Dilan: signed up, never enrolled.
    Esra:  enrolled in January 2027 (after the year)."""
    women = {
        name: add_woman(db, name, f"+452012340{i}")
        for i, name in enumerate(("Amina", "Bahar", "Chen", "Dilan", "Esra"))
    }
    stay(db, women["Amina"], "2026-02-01", "2026-09-01", "ordinary_job")
    step(db, women["Amina"], "internship", "2026-03-01")
    step(db, women["Amina"], "small_job", "2026-05-01")
    step(db, women["Amina"], "ordinary_job", "2026-09-01")
    stay(db, women["Bahar"], "2026-02-10", "2026-04-01", "moved")
    stay(db, women["Bahar"], "2026-06-01")
    step(db, women["Bahar"], "company_visit", "2026-03-01")
    stay(db, women["Chen"], "2026-08-01")
    step(db, women["Chen"], "education", "2026-10-01")
    stay(db, women["Esra"], "2027-01-05")
    return women


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
