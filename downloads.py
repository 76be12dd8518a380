"""Files staff download to open in a spreadsheet: one way to make them, so every export is safe alike."""

import csv
import io

import xlsxwriter
from flask import make_response


def spreadsheet_safe(text):
    """A cell that a spreadsheet will not run as a formula (names come from self sign-up forms too)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def defused(rows):
    """Every text cell, not only the names: nothing in an export can become a formula."""
    return [[spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in row] for row in rows]


def csv_text(rows):
    """CSV for a Danish spreadsheet: semicolons between cells (Danish Excel splits on them), every text cell
    in quotes and defused, and a byte-order mark so the letters come out right (when saved as UTF-8)."""
    buffer = io.StringIO()
    # Quoted, a cell holding a separator ("A;=1+1") stays one cell, and spreadsheet_safe() defuses its start.
    csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_NONNUMERIC).writerows(defused(rows))
    return "\ufeff" + buffer.getvalue()


def csv_download(rows, filename):
    response = make_response(csv_text(rows))
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_bytes(sheets):
    """An Excel workbook, one sheet per (name, rows, bold rows): numbers as numbers, text never a formula.
    Sheet names are cut to Excel's 31 characters, without the characters it refuses, and kept apart."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    bold = workbook.add_format({"bold": True})
    taken = set()
    for name, rows, bold_rows in sheets:
        sheet = workbook.add_worksheet(sheet_name(name, taken))
        for row_number, row in enumerate(defused(rows)):
            style = bold if row_number in bold_rows else None
            for column, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(row_number, column, value, style)
                else:
                    sheet.write_string(row_number, column, "" if value is None else str(value), style)
        sheet.freeze_panes(1, 1)
    workbook.close()
    return output.getvalue()


def xlsx_download(sheets, filename):
    response = make_response(xlsx_bytes(sheets))
    response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def sheet_name(name, taken):
    """A sheet name Excel accepts (at most 31 characters, none of []:*?/\\), not yet in `taken`."""
    base = "".join(" " if c in "[]:*?/\\" else c for c in name).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate
