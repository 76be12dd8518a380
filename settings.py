"""Settings an admin may change (retention periods), with their defaults: all the SQL of settings."""

from datetime import date

import clock

# key: (default, smallest, largest). Whole numbers of days, months or years, as the key says.
DEFAULTS = {
    "erasure_grace_days": (30, 0, 90),
    "never_joined_months": (6, 1, 36),
    "audit_years": (5, 1, 10),
    "coordinators_share": (0, 0, 1),  # 1: every coordinator sees every woman (a team)
    "left_after_end_months": (12, 1, 120),
    "call_tries": (3, 1, 10),  # calls without an answer before a new sign-up is set aside
    "set_aside_months": (3, 1, 36),  # a woman set aside after no answer is erased after these months
    "caseload_limit": (35, 5, 200),  # a coordinator's enrolled women before the caseload warns
    # The business case (kroner): what a woman outside work costs the public a month (the grant's sources
    # say 15,000-25,000), the price the municipality pays, and for what: 0, each woman in a job and off
    # public benefit (payment by result); 1, each woman enrolled.
    "monthly_public_cost": (20_000, 0, 1_000_000),
    "price_per_woman": (0, 0, 10_000_000),
    "pay_per_participant": (0, 0, 1),
}
# Days, kept as year-month-day (empty: not set): the programme's period.
DATES = ("programme_starts_on", "programme_ends_on")
# Texts, with their longest length: what the programme's reports are headed with.
TEXTS = {"programme_name": 200, "funder": 200}


def get(db, key):
    """Return a setting's value (its default until an admin changed it)."""
    default = DEFAULTS[key][0]
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return int(row["value"]) if row else default


def get_all(db):
    """Every setting, for the settings form: numbers, and days as year-month-day ("" when not set)."""
    days = {key: (day.isoformat() if (day := get_date(db, key)) else "") for key in DATES}
    return {key: get(db, key) for key in DEFAULTS} | days | {key: get_text(db, key) for key in TEXTS}


def get_date(db, key):
    """A day setting, or None when not set."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return date.fromisoformat(row["value"]) if row and row["value"] else None


def get_text(db, key):
    """A text setting ("" when not set)."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row["value"] if row else ""


def put_text(db, key, text, user_id=None):
    if len(text) > TEXTS[key]:
        raise ValueError(f"{key} is at most {TEXTS[key]} characters")
    write(db, key, text, user_id)


def put_date(db, key, day, user_id=None):
    write(db, key, day.isoformat() if day else "", user_id)


def put(db, key, value, user_id=None):
    """Change a setting, within its bounds (the form checks them first)."""
    _default, smallest, largest = DEFAULTS[key]
    if not smallest <= int(value) <= largest:
        raise ValueError(f"{key} must be between {smallest} and {largest}")
    write(db, key, str(int(value)), user_id)


def write(db, key, value, user_id=None):
    db.execute(
        """INSERT INTO settings (key, value, changed_at, changed_by) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at,
                                           changed_by = excluded.changed_by""",
        [key, value, clock.now_iso(), user_id],
    )
