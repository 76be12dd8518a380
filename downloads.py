"""Files staff download to open in a spreadsheet: one way to make them, so every export is safe alike."""

import csv
import io

from flask import make_response


def spreadsheet_safe(text):
    """A cell that a spreadsheet will not run as a formula (names come from self sign-up forms too)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def defused(rows):
    """Every text cell, not only the names: nothing in an export can become a formula."""
    return [[spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


def csv_download(rows, filename):
    """CSV for a Danish spreadsheet: semicolons between cells (Danish Excel splits on them), every text cell
    in quotes and defused, and UTF-8 with a byte-order mark so the letters come out right."""
    buffer = io.StringIO()
    # Quoted, a cell holding a separator ("A;=1+1") stays one cell, and spreadsheet_safe() defuses its start.
    csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_NONNUMERIC).writerows(defused(rows))
    response = make_response("\ufeff" + buffer.getvalue())
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
