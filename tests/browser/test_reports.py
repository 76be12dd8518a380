"""The dashboard and the report in a real browser: charts mirrored in Arabic and inside a 360 px phone, and
the report printed by Chromium to a PDF on A4, numbered, with no table cut."""

import io
import unicodedata

import pypdf
import pytest

from .conftest import horizontal_overflow, log_in, new_phone
from .test_journeys import page_problems

A4 = (595.3, 841.9)  # points

# The first and the last bar of the enrolments chart, and the picture's box, in screen pixels.
BARS = """() => {
    const chart = document.querySelectorAll('svg.chart')[1];
    const bars = [...chart.querySelectorAll('rect')].map(r => r.getBoundingClientRect());
    const box = chart.getBoundingClientRect();
    return {first: bars[0].left, last: bars[bars.length - 1].left, left: box.left, right: box.right,
            count: bars.length};
}"""


@pytest.mark.parametrize("lang", ["da", "ar"])
def test_the_dashboard_draws_its_charts_within_a_phone_and_mirrors_them_in_arabic(browser, live_server, lang):
    context = new_phone(browser)
    page = context.new_page()
    log_in(page, live_server, "coordinator", lang)
    for by in ("channel", "estate", "subgroup", "campaign"):
        page.goto(f"{live_server}/{lang}/results?by={by}")
        assert page.locator("svg.chart").count() >= 4
        assert horizontal_overflow(page) == 0
        assert page_problems(page) == [], by
    bars = page.evaluate(BARS)
    assert bars["count"] == 12  # the last 12 months, the oldest first in reading order
    assert bars["left"] >= 0 and bars["right"] <= 360
    if lang == "ar":
        assert bars["first"] > bars["last"]  # time runs from the right
    else:
        assert bars["first"] < bars["last"]
    context.close()


@pytest.mark.parametrize("lang", ["da", "ar"])
def test_the_report_reads_on_a_phone(browser, live_server, lang):
    context = new_phone(browser)
    page = context.new_page()
    log_in(page, live_server, "steeringgroup", lang)
    for period, tables in (("", 5), ("?period=all", 10)):  # this half-year has less in it
        page.goto(f"{live_server}/{lang}/report{period}")
        assert page.locator("article.report table").count() >= tables
        assert page_problems(page) == [], period
    context.close()


# Each table of the report: its title, its column headings, and the label of its last row.
TABLES = """() => [...document.querySelectorAll('.report-table')].filter(t => t.querySelector('table')).map(t => ({
    title: t.querySelector('h3').textContent.trim(),
    columns: [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()),
    last: [...t.querySelectorAll('tr')].pop().querySelector('th').textContent.trim(),
    rows: t.querySelectorAll('tr').length,
}))"""


def squeezed(text):
    """Text without spaces and line breaks (a PDF's text breaks lines where the page did), and without
    ligatures (the printed "fi" is one glyph)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def test_the_report_prints_on_a4_with_page_numbers_and_no_table_cut(browser, live_server):
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    log_in(page, live_server, "admin", "da")
    page.goto(f"{live_server}/da/report?period=all")
    tables = page.evaluate(TABLES)
    assert len(tables) >= 10
    page.emulate_media(media="print")
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    pages = [squeezed(p.extract_text()) for p in pdf.pages]
    assert len(pages) >= 4  # a page at least per section
    for sheet in pdf.pages:
        assert (float(sheet.mediabox.width), float(sheet.mediabox.height)) == pytest.approx(A4, abs=1)
    for number, text in enumerate(pages, 1):
        footer = f"{number}/{len(pages)}"  # the page's margin: first or last in its text
        assert text.startswith(footer) or text.endswith(footer), (number, text[:40], text[-40:])
    for table in tables:
        title = squeezed(table["title"])
        on = [i for i, text in enumerate(pages) if title in text]
        assert len(on) == 1, table["title"]
        after_title = pages[on[0]].split(title, 1)[1]
        # Every column is printed (nothing cut off at the side)...
        assert all(squeezed(column) in after_title for column in table["columns"]), table["title"]
        # ...and a table that fits a page is on one page: its last row follows its title there.
        if table["rows"] <= 20:
            assert squeezed(table["last"]) in after_title, table["title"]
    context.close()
