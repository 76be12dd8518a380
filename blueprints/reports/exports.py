"""A report's tables as files: JSON for the evaluator's programs, CSV (one row per figure) and an Excel
workbook (one sheet per table). The cells are the report page's, as shown: counts of 1 to 4 are "<5"."""

import json

from flask_babel import gettext as _


def table_rows(table):
    """A table as rows of cells: its heading row, its rows, its totals."""
    rows = [[table.heading, *table.columns]]
    rows += [[label, *cells] for label, cells in table.rows]
    if table.totals:
        rows.append([table.totals_label, *table.totals])
    return rows


def sheets(about, sections):
    """[(sheet name, rows, bold rows)]: a first sheet saying what the report is, then one per table."""
    first = [[_("Report"), about["title"]], [_("Period"), about["period"]]]
    first += [[label, value] for label, value in about["details"]]
    result = [(_("About this report"), first, {0})]
    for section in sections:
        for table in section.tables:
            rows = table_rows(table)
            result.append((table.title, rows, {0, len(rows) - 1} if table.totals else {0}))
    return result


def long_rows(sections):
    """One row per figure: section, table, row, column, value (easy to read into any program)."""
    rows = [[_("Section"), _("Table"), _("Row"), _("Column"), _("Value")]]
    for section in sections:
        for table in section.tables:
            body = [(label, cells) for label, cells in table.rows]
            if table.totals:
                body.append((table.totals_label, table.totals))
            for label, cells in body:
                for column, value in zip(table.columns, cells, strict=True):
                    rows.append([section.title, table.title, label, column, value])
    return rows


def as_json(about, sections, texts):
    """The report as JSON: what it is, each section's tables with their keys, and the written texts."""
    return json.dumps(
        {
            "report": about,
            "sections": [
                {
                    "key": section.key,
                    "title": section.title,
                    "tables": [
                        {
                            "key": table.key,
                            "title": table.title,
                            "heading": table.heading,
                            "columns": table.columns,
                            "rows": [{"label": label, "cells": cells} for label, cells in table.rows],
                            "totals": table.totals,
                        }
                        for table in section.tables
                    ],
                    "text": texts.get(section.text_key, "") if section.text_key else None,
                }
                for section in sections
            ],
        },
        ensure_ascii=False,
        indent=2,
    )
