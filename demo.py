"""A believable demo programme in Ishøj and Vallensbæk."""

import json
from datetime import date, time, timedelta
from pathlib import Path

import clock
import db as database
import settings
from blueprints.auth.accounts import create_user
from blueprints.casework import queries as casework
from blueprints.groups import queries as groups
from blueprints.groups.schedule import Schedule
from blueprints.outreach import queries as outreach
from blueprints.reports import queries as reports
from choices import CHANNELS
from tokens import new_token, sha256_hex

WEEKS_AHEAD = 8
WEEKS_BEHIND = 4  # sessions already held, with who came: the register and "Women to call" have something

ESTATES = [
    ("Vejlegårdsparken", "Vallensbæk"),
    ("Vejleåparken", "Ishøj"),
    ("Vildtbanegård", "Ishøj"),
]

USERS = [
    ("admin", "admin", "Lone (admin)"),
    ("coordinator", "coordinator", "Mette"),
    ("facilitator", "facilitator", "Hanan"),
    ("jobconsultant", "job_consultant", "Karin"),
    ("outreach", "outreach", "Sevgi"),
    ("steeringgroup", "steering_group", "Jens (styregruppen)"),
]

CONSENT_TEXTS = {
    "da": (
        "Jeg siger ja til, at projektet gemmer mit fornavn, mit telefonnummer, mit sprog, mit "
        "boligområde, mit fødselsår, hvilken ydelse jeg får, og hvordan jeg hørte om projektet. "
        "Oplysningerne bruges kun til at invitere mig til aktiviteter og til at følge mit forløb. "
        "Kommunen får kun tal, aldrig mit navn. Jeg kan når som helst sige fra ved at tale med en "
        "medarbejder. Så sletter vi mine oplysninger."
    ),
    "tr": (
        "Projenin adımı, telefon numaramı, dilimi, oturduğum semti, doğum yılımı, aldığım yardımı "
        "ve projeyi nereden duyduğumu kaydetmesini kabul ediyorum. Bu bilgiler yalnızca beni "
        "etkinliklere davet etmek ve sürecimi takip etmek için kullanılır. Belediye yalnızca "
        "sayıları görür, adımı asla görmez. İstediğim zaman bir çalışana söyleyerek onayımı geri "
        "alabilirim. O zaman bilgilerim silinir."
    ),
    "ur": (
        "میں اس بات پر رضامند ہوں کہ پروجیکٹ میرا پہلا نام، فون نمبر، زبان، رہائشی علاقہ، پیدائش "
        "کا سال، مجھے ملنے والی امداد، اور یہ کہ میں نے پروجیکٹ کے بارے میں کہاں سے سنا، محفوظ کرے۔ "
        "یہ معلومات صرف مجھے سرگرمیوں میں بلانے اور میری پیش رفت دیکھنے کے لیے استعمال ہوں گی۔ "
        "بلدیہ کو صرف اعداد و شمار ملتے ہیں، میرا نام کبھی نہیں۔ میں کسی بھی وقت کسی کارکن کو بتا "
        "کر اپنی رضامندی واپس لے سکتی ہوں۔ پھر میری معلومات مٹا دی جائیں گی۔"
    ),
    "ar": (
        "أوافق على أن يحفظ المشروع اسمي الأول ورقم هاتفي ولغتي والحي الذي أسكن فيه وسنة ميلادي "
        "ونوع الإعانة التي أتلقاها وكيف سمعت عن المشروع. تُستخدم هذه المعلومات فقط لدعوتي إلى "
        "الأنشطة ومتابعة مساري. لا تحصل البلدية إلا على أرقام إجمالية، ولا ترى اسمي أبدًا. يمكنني "
        "سحب موافقتي في أي وقت بإخبار أحد الموظفين، وعندها تُحذف معلوماتي."
    ),
}

GROUPS = [
    {
        "name": "Madklubben",
        "activity": "cooking",
        "estate": "Vejlegårdsparken",
        "place": "Beboerhuset, Vejlegårdsparken",
        "languages": ["da", "ar", "ur"],
        "capacity": 14,
        "weekdays": (1,),  # Tuesday
        "bring": "",
        "bring_phrases": ["apron", "shared_meal"],
        "start": time(10, 0),
        "end": time(12, 0),
        "members": ["Amina", "Rukhsana", "Samira", "Nadia"],
    },
    {
        "name": "Let motion",
        "activity": "light_exercise",
        "estate": "Vejleåparken",
        "place": "Fælleshuset, Vejleåparken",
        "languages": ["da", "tr", "ar"],
        "capacity": 12,
        "weekdays": (0, 3),  # Monday and Thursday
        "bring": "",
        "bring_phrases": ["comfortable_shoes", "water_bottle"],
        "start": time(9, 30),
        "end": time(10, 30),
        "members": ["Fatma", "Ayşe", "Amina", "Zainab"],
    },
]

PARTICIPANTS = [
    ("Amina", "+4520123401", "ar", "Vejlegårdsparken", 1979, "activity_ready"),
    ("Fatma", "+4520123402", "tr", "Vejleåparken", 1971, "job_ready"),
    ("Rukhsana", "+4520123403", "ur", "Vejlegårdsparken", 1984, "spouse_supported"),
    ("Samira", "+4520123404", "ar", "Vildtbanegård", 1990, "education_benefit"),
    ("Ayşe", "+4520123405", "tr", "Vejleåparken", 1968, "activity_ready"),
    ("Nadia", "+4520123406", "da", "Vildtbanegård", 1987, "job_ready"),
    ("Zainab", "+4520123407", "ur", "Vejleåparken", 1975, "unknown"),
]


def rebuild(path, password=None):
    """Replace the database at `path` with the demo programme; return {username: password}."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = database.connect(path)
    database.migrate(db)
    logins = {}
    for username, role, display_name in USERS:
        logins[username] = password or new_token(9)
        create_user(db, username, role, logins[username], display_name)
    with database.transaction(db):
        add_programme(db)
    add_campaign(db)
    with database.transaction(db):
        add_attendance(db)
        add_campaign_signups(db)
        add_casework(db)
        add_programme_settings(db)
    db.close()
    return logins


def add_programme_settings(db):
    """The grant application's programme (seed 002): three years from the January before the demo's first
    enrolments, its funder, and its milestones (in %: the application's "for 100 enrolled women")."""
    first_year = (clock.today() - timedelta(days=150)).year
    settings.put_text(
        db, "programme_name", "Beskæftigelse til kvinder med indvandrerbaggrund i Ishøj og Vallensbæk"
    )
    settings.put_text(db, "funder", "Styrelsen for International Rekruttering og Integration")
    settings.put_date(db, "programme_starts_on", date(first_year, 1, 1))
    settings.put_date(db, "programme_ends_on", date(first_year + 2, 12, 31))
    # The business case: 20,000 kr. a month (the middle of seed 001's 15,000-25,000), paid by result; the
    # price is a demo figure (the seeds name none).
    settings.put(db, "monthly_public_cost", 20_000)
    settings.put(db, "price_per_woman", 120_000)
    settings.put(db, "pay_per_participant", 0)
    for year, measure, target, share in (
        (first_year, "enrolled", 50, False),
        (first_year, "company_offer", 25, False),
        (first_year + 1, "enrolled", 100, False),
        (first_year + 1, "company_offer", 25, False),
        (first_year + 2, "ordinary_job", 25, False),
        (first_year + 2, "company_offer", 50, True),
        (first_year + 2, "ordinary_job", 25, True),
    ):
        reports.add_milestone(db, date(year, 12, 31).isoformat(), measure, target, share, None)


def personal_link(path, first_name):
    """Make a personal link for a demo woman (needs the app, for its secret key); return the token, or None
    when she is not in this database (not the demo's)."""
    from blueprints.me.links import create_link

    db = database.connect(path)
    try:
        row = db.execute("SELECT id FROM participants WHERE first_name = ?", [first_name]).fetchone()
        if row is None:
            return None
        with database.transaction(db):
            return create_link(db, row["id"], None)
    finally:
        db.close()


def add_campaign(db):
    """A winter campaign running now, with a poster for every channel."""
    today = clock.today()
    estate_ids = [row["id"] for row in db.execute("SELECT id FROM estates WHERE municipality = 'Ishøj'")]
    coordinator = db.execute("SELECT id FROM users WHERE username = 'coordinator'").fetchone()["id"]
    with database.transaction(db):
        outreach.create_campaign(
            db,
            "Vinter i Ishøj",
            (today - timedelta(days=20)).isoformat(),
            (today + timedelta(days=90)).isoformat(),
            estate_ids,
            ["da", "tr", "ur", "ar"],
            coordinator,
            CHANNELS,
        )


def add_programme(db):
    now = clock.now_iso()
    estate_ids = {
        name: db.execute(
            "INSERT INTO estates (name, municipality) VALUES (?, ?)", [name, municipality]
        ).lastrowid
        for name, municipality in ESTATES
    }
    consent_ids = {
        language: db.execute(
            "INSERT INTO consent_texts (version, language, text, text_hash, created_at)"
            " VALUES (1, ?, ?, ?, ?)",
            [language, text, sha256_hex(text), now],
        ).lastrowid
        for language, text in CONSENT_TEXTS.items()
    }
    user_ids = {row["username"]: row["id"] for row in db.execute("SELECT id, username FROM users")}
    participant_ids = {}
    for first_name, phone, language, estate, born, subgroup in PARTICIPANTS:
        participant_id = db.execute(
            "INSERT INTO participants (first_name, phone, language, estate_id, year_of_birth,"
            " subgroup, interests, coordinator_id, channel, registered_at, registered_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'door_to_door', ?, ?)",
            [
                first_name,
                phone,
                language,
                estate_ids[estate],
                born,
                subgroup,
                json.dumps(["cooking", "light_exercise"]),
                user_ids["coordinator"],
                now,
                user_ids["outreach"],
            ],
        ).lastrowid
        db.execute(
            "INSERT INTO consents (participant_id, consent_text_id, language, given_at, recorded_by)"
            " VALUES (?, ?, ?, ?, ?)",
            [participant_id, consent_ids[language], language, now, user_ids["outreach"]],
        )
        participant_ids[first_name] = participant_id
    for group in GROUPS:
        add_group(db, group, estate_ids, user_ids["facilitator"], participant_ids)


def add_group(db, group, estate_ids, facilitator_id, participant_ids):
    first_day = clock.today() - timedelta(weeks=WEEKS_BEHIND)
    schedule = Schedule(
        first_day,
        clock.today() + timedelta(weeks=WEEKS_AHEAD),
        group["weekdays"],
        group["start"],
        group["end"],
    )
    fields = {
        "name": group["name"],
        "activity": group["activity"],
        "estate_id": estate_ids[group["estate"]],
        "place": group["place"],
        "bring": group["bring"],
        "bring_phrases": group["bring_phrases"],
        "languages": group["languages"],
        "capacity": group["capacity"],
    }
    group_id = groups.create_group(db, fields, schedule, [facilitator_id], [], facilitator_id)
    for first_name in group["members"]:
        groups.enrol(db, group_id, participant_ids[first_name])
    # They joined when the group started, weeks ago.
    db.execute(
        "UPDATE enrolments SET joined_at = :at, since = :at WHERE group_id = :group",
        {"at": (clock.now() - timedelta(weeks=WEEKS_BEHIND, days=1)).isoformat(), "group": group_id},
    )


# Who did not come: Rukhsana missed the cooking group's last two sessions (so "Women to call" lists her),
# Zainab the light-exercise group's last one.
MISSED = {"Madklubben": {"Rukhsana": 2}, "Let motion": {"Zainab": 1}}


def add_attendance(db):
    """Attendance for every session already held: each woman came, except the misses above."""
    from blueprints.checkin.queries import record_checkin

    facilitator = db.execute("SELECT id FROM users WHERE username = 'facilitator'").fetchone()["id"]
    for group in db.execute("SELECT id, name FROM groups").fetchall():
        held = db.execute(
            "SELECT id, starts_at FROM sessions WHERE group_id = ? AND ends_at <= ? ORDER BY starts_at",
            [group["id"], clock.now_iso()],
        ).fetchall()
        members = db.execute(
            """SELECT p.id, p.first_name FROM enrolments n JOIN participants p ON p.id = n.participant_id
                WHERE n.group_id = ? AND n.state = 'active'""",
            [group["id"]],
        ).fetchall()
        for number, session in enumerate(held):
            for woman in members:
                missed = MISSED.get(group["name"], {}).get(woman["first_name"], 0)
                if number >= len(held) - missed:
                    continue
                record_checkin(
                    db,
                    session["id"],
                    woman["id"],
                    session["starts_at"],
                    "qr",
                    True,
                    facilitator,
                    f"demo-{session['id']}-{woman['id']}",
                )


# Sign-ups of the running campaign through several channels, days apart (not yet in a group: for a call).
CAMPAIGN_SIGNUPS = [
    ("Hodan", "+4520123408", "da", "Vejleåparken", "door_to_door", 18),
    ("Elif", "+4520123409", "tr", "Vejleåparken", "local_tv", 12),
    ("Shazia", "+4520123410", "ur", "Vejlegårdsparken", "mosque_association", 9),
    ("Leila", "+4520123411", "ar", "Vildtbanegård", "poster", 5),
    ("Meryem", "+4520123412", "tr", "Vejleåparken", "estate_staff", 2),
]


def add_campaign_signups(db):
    """The winter campaign's sign-ups, stored as the sign-up form stores them."""
    campaign = db.execute("SELECT id FROM campaigns ORDER BY id LIMIT 1").fetchone()["id"]
    outreach_worker = db.execute("SELECT id FROM users WHERE username = 'outreach'").fetchone()["id"]
    for first_name, phone, language, estate, channel, days_ago in CAMPAIGN_SIGNUPS:
        estate_id = db.execute("SELECT id FROM estates WHERE name = ?", [estate]).fetchone()["id"]
        consent = db.execute(
            "SELECT id FROM consent_texts WHERE language = ? ORDER BY version DESC LIMIT 1", [language]
        ).fetchone()["id"]
        clean = {
            "first_name": first_name,
            "phone": phone,
            "language": language,
            "estate_id": estate_id,
            "year_of_birth": None,
            "subgroup": "unknown",
            "interests": ["cooking"],
            "availability": ["morning"],
            "childcare": False,
            "channel": channel,
            "campaign_id": campaign,
            "consent_text_id": consent,
            "consent_language": language,
            "card_hash": None,
        }
        recorded_at = (clock.now() - timedelta(days=days_ago)).isoformat()
        signup_id = f"demo-signup-{phone}"
        recorded_by = None if channel == "poster" else outreach_worker  # a poster sign-up is her own
        outreach.store_signup(db, signup_id, sha256_hex(signup_id), clean, recorded_at, recorded_by)


COMPANIES = [
    ("Netto Ishøj Bycenter", "Ishøj Bycenter 50, 2635 Ishøj", "Jens Holm", "+4543541200"),
    ("Ishøj Plejecenter", "Ishøj Strandvej 26, 2635 Ishøj", "Birgit Lund", "+4543576500"),
    (
        "Kantinen, Vallensbæk Rådhus",
        "Vallensbæk Stationstorv 100, 2665 Vallensbæk",
        "Ole Berg",
        "+4543972200",
    ),
]


def add_casework(db):
    """Five women enrolled, at different places on their way: contacts of different ages (the caseload's
    colours), company steps, a small job with its hours, answers on the four aims, a CV, one who left."""
    today = clock.today()
    users = {row["username"]: row["id"] for row in db.execute("SELECT id, username FROM users")}
    women = {row["first_name"]: row["id"] for row in db.execute("SELECT id, first_name FROM participants")}
    company = {
        name: casework.add_company(
            db,
            {"name": name, "address": address, "contact_name": contact, "contact_phone": phone, "cvr": None},
            users["jobconsultant"],
        )
        for name, address, contact, phone in COMPANIES
    }

    for row in db.execute("SELECT DISTINCT participant_id FROM attendance").fetchall():
        casework.met(db, row["participant_id"])  # came to a group: no longer waiting for a first call

    def day(days_ago):
        return (today - timedelta(days=days_ago)).isoformat()

    for name, enrolled_days_ago, benefit, contact_days_ago in (
        ("Amina", 70, "activity_ready", 1),
        ("Fatma", 120, "job_ready", 4),
        ("Rukhsana", 40, "spouse_supported", 9),
        ("Samira", 150, "education_benefit", 2),
        ("Ayşe", 60, "activity_ready", 6),
    ):
        casework.enrol(
            db,
            women[name],
            {
                "enrolled_on": day(enrolled_days_ago),
                "coordinator_id": users["coordinator"],
                "benefit": benefit,
                "action_plan": "agreed",
                "action_plan_on": day(enrolled_days_ago - 7),
                "planned_end_on": (
                    today + timedelta(weeks=20) - timedelta(days=enrolled_days_ago)
                ).isoformat(),
            },
            users["coordinator"],
        )
        moment = clock.now() - timedelta(days=contact_days_ago, hours=2)
        casework.add_contact(
            db,
            new_token(16),
            "demo",
            women[name],
            "meeting",
            moment.isoformat(timespec="seconds"),
            "",
            users["coordinator"],
        )

    def step(name, kind, company_name=None, **dates):
        values = dict.fromkeys(casework.STEP_COLUMNS) | {"kind": kind} | dates
        values["company_id"] = company[company_name] if company_name else None
        return casework.add_step(db, women[name], values, users["jobconsultant"])

    step("Amina", "company_visit", "Ishøj Plejecenter", started_on=day(50), ended_on=day(50))
    step("Amina", "taster_internship", "Ishøj Plejecenter", started_on=day(20), planned_end=day(-8))
    small_job = step("Fatma", "small_job", "Netto Ishøj Bycenter", started_on=day(100))
    for months_ago, hours in ((3, 34), (2, 26), (1, 41)):
        month = (today.replace(day=1) - timedelta(days=28 * months_ago)).strftime("%Y-%m")
        casework.put_hours(db, small_job, month, hours)
    step("Rukhsana", "danish_course", started_on=day(30), planned_end=day(-60))
    step("Samira", "internship", "Kantinen, Vallensbæk Rådhus", started_on=day(120), ended_on=day(60))
    step(
        "Samira",
        "ordinary_job",
        "Kantinen, Vallensbæk Rådhus",
        started_on=day(30),
        full_time=0,
        hours_per_week=25,
    )
    casework.leave(db, women["Samira"], day(25), "ordinary_job")
    casework.record_off_benefit(db, women["Samira"], day(25), None)  # the business case counts her
    step("Ayşe", "company_visit", "Netto Ishøj Bycenter", planned_start=day(-5))
    for asked_days_ago, answers in ((70, (2, 2, 1, 3)), (5, (3, 4, 3, 3))):
        casework.add_progress(
            db,
            women["Amina"],
            day(asked_days_ago),
            dict(zip(casework.AIMS, answers, strict=True)),
            "ar",
            users["coordinator"],
        )
    casework.save_cv(
        db,
        women["Fatma"],
        dict.fromkeys(casework.CV_FIELDS, "")
        | {
            "languages": "Tyrkisk (modersmål), dansk (taler godt), lidt engelsk",
            "schooling": "Grundskole i Tyrkiet; danskuddannelse modul 3",
            "work_in_denmark": "Småjob i Netto: opfyldning og kasse, 8 timer om ugen",
            "work_abroad": "Syerske på en tekstilfabrik i Izmir, 6 år",
            "skills": "Syning, madlavning til mange, ordenssans",
            "wanted_work": "Butik eller køkken",
            "hours": "15-25 timer om ugen",
            "travel": "Op til 30 minutter med bus",
        },
        True,
        users["jobconsultant"],
    )
