"""`flask --app app report --period 2026H1 --format json|csv|xlsx`: the report's figures for the evaluator,
the very tables of the report page (counts of 1 to 4 as "<5"), written from the command line."""

import click
from flask import current_app

import audit
import clock
import settings
from db import get_db, transaction
from downloads import csv_text, xlsx_bytes
from i18n import LANGUAGES

from . import bp, exports, figures, periods, queries


@bp.cli.command("report")
@click.option(
    "--period", "key", required=True, help='A half-year, e.g. "2026H1", or "all": the whole programme.'
)
@click.option(
    "--format", "kind", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True
)
@click.option(
    "--lang", type=click.Choice(LANGUAGES), default="da", show_default=True, help="The labels' language."
)
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file (needed for xlsx).")
def report_command(key, kind, lang, output):
    """Write the half-yearly or final report's figures."""
    if kind == "xlsx" and not output:
        raise click.UsageError("an Excel workbook needs --output FILE")
    with current_app.test_request_context(
        f"/{lang}/report", base_url=current_app.config["PUBLIC_URL"] or None
    ):
        current_app.preprocess_request()
        db = get_db()
        today = clock.today()
        starts_on, ends_on = (
            settings.get_date(db, "programme_starts_on"),
            settings.get_date(db, "programme_ends_on"),
        )
        period = periods.parse(key, starts_on, ends_on, today)
        if period is None:
            raise click.BadParameter('a half-year such as "2026H1", or "all"', param_hint="--period")
        about = figures.about(db, period, today)
        sections = figures.report(db, period, today, clock.now_iso())
        with transaction(db):
            audit.record(
                db, "report.download", detail=f"period:{period.key} {kind}", user_id=audit.COMMAND_LINE
            )
        if kind == "json":
            written = exports.as_json(about, sections, queries.report_texts(db, period.key)).encode()
        elif kind == "csv":
            written = csv_text(exports.long_rows(sections)).encode()
        else:
            written = xlsx_bytes(exports.sheets(about, sections))
    if output:
        with open(output, "wb") as file:
            file.write(written)
    else:
        click.echo(written.decode(), nl=False)
