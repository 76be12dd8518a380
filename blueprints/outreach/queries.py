"""Campaigns, poster codes and sign-ups: the SQL of the outreach area."""

import json
from datetime import timedelta

import access
import audit
import clock
from tokens import new_short_code, typed_short_code

from ..casework import queries as casework


def estate_exists(db, estate_id):
    """True when the estate exists."""
    return db.execute("SELECT 1 FROM estates WHERE id = ?", [estate_id]).fetchone() is not None


def estates(db):
    """Return every estate, by name."""
    return db.execute("SELECT id, name, municipality FROM estates ORDER BY name").fetchall()


def campaign_exists(db, campaign_id):
    """True when the campaign exists."""
    return db.execute("SELECT 1 FROM campaigns WHERE id = ?", [campaign_id]).fetchone() is not None


def consent_text(db, consent_text_id):
    """Return one consent text, or None."""
    if consent_text_id is None:
        return None
    return db.execute("SELECT * FROM consent_texts WHERE id = ?", [consent_text_id]).fetchone()


def current_consent_texts(db):
    """Return the newest consent text in each language, by language."""
    rows = db.execute(
        """SELECT * FROM consent_texts c
            WHERE version = (SELECT max(version) FROM consent_texts WHERE language = c.language)"""
    ).fetchall()
    return {row["language"]: row for row in rows}


def campaign_is_running(db, campaign_id):
    """True when the campaign runs today (in Copenhagen)."""
    today = clock.today().isoformat()
    row = db.execute(
        "SELECT 1 FROM campaigns WHERE id = ? AND starts_on <= ? AND ends_on >= ?",
        [campaign_id, today, today],
    ).fetchone()
    return row is not None


def current_campaigns(db, on_day=None):
    """Return the campaigns running on a day (today by default), newest first."""
    day = on_day or clock.today().isoformat()
    return db.execute(
        "SELECT * FROM campaigns WHERE starts_on <= ? AND ends_on >= ? ORDER BY starts_on DESC, id DESC",
        [day, day],
    ).fetchall()


def find_signup(db, signup_id):
    """Return the stored sign-up with this id, or None."""
    return db.execute("SELECT * FROM signups WHERE id = ?", [signup_id]).fetchone()


def is_erased(db, signup_id):
    """True when this sign-up belonged to a woman who was erased."""
    return db.execute("SELECT 1 FROM erasures WHERE signup_id = ?", [signup_id]).fetchone() is not None


def participant_by_phone(db, phone):
    """Return the woman with this phone number (E.164), or None."""
    return db.execute("SELECT id, withdrawn_at FROM participants WHERE phone = ?", [phone]).fetchone()


def card_owner(db, code_hash):
    """Return the id of the woman a card was issued to, or None."""
    row = db.execute("SELECT participant_id FROM cards WHERE code_hash = ?", [code_hash]).fetchone()
    return row["participant_id"] if row else None


def store_signup(db, signup_id, content_hash, clean, recorded_at, user_id, may_join=True):
    """Store a checked sign-up inside the caller's transaction; return (participant_id, how): "new",
    "merged" (joined to the woman with this phone number) or "awaiting" (the number is known, and the
    sign-up waits for a coordinator to say whether it is the same woman: `may_join` is False)."""
    now = clock.now_iso()
    existing = participant_by_phone(db, clean["phone"])
    # A woman who withdrew is not joined to anything: a coordinator decides (another woman, or her again).
    if existing and (not may_join or existing["withdrawn_at"]):
        participant_id, how = existing["id"], "awaiting"
    elif existing:
        participant_id, how = existing["id"], "merged"
    else:
        participant_id, how = insert_participant(db, signup_id, clean, now, user_id), "new"
    if how != "awaiting":
        add_consent_and_card(db, participant_id, clean, recorded_at, user_id)
    if how == "merged":
        casework.signed_up_again(db, participant_id)
    # An awaiting sign-up keeps its card's hash, to give it to whoever the coordinator says she is.
    details = {key: value for key, value in clean.items() if key != "card_hash" or how == "awaiting"}
    db.execute(
        "INSERT INTO signups (id, content_hash, participant_id, merged, awaiting, channel, campaign_id, estate_id,"
        " recorded_at, received_at, recorded_by, first_name, details)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            signup_id,
            content_hash,
            participant_id,
            int(how == "merged"),
            int(how == "awaiting"),
            clean["channel"],
            clean["campaign_id"],
            clean["estate_id"],
            recorded_at,
            now,
            user_id,
            clean["first_name"],
            json.dumps(details, ensure_ascii=False),
        ],
    )
    return participant_id, how


def add_consent_and_card(db, participant_id, clean, given_at, user_id):
    """Her consent (the text's version and language) and the card given at sign-up, on her record."""
    db.execute(
        "INSERT INTO consents (participant_id, consent_text_id, language, given_at, recorded_by)"
        " VALUES (?, ?, ?, ?, ?)",
        [participant_id, clean["consent_text_id"], clean["consent_language"], given_at, user_id],
    )
    if clean.get("card_hash"):
        db.execute(
            "INSERT INTO cards (code_hash, participant_id, issued_at) VALUES (?, ?, ?)"
            " ON CONFLICT (code_hash) DO NOTHING",
            [clean["card_hash"], participant_id, clock.now_iso()],
        )


def awaiting_signups(db, user):
    """Sign-ups with a known number, waiting for a coordinator: what each said, and the woman registered with
    that number (among the women `user` follows)."""
    followed, params = access.followed_participants(user)
    return db.execute(
        f"""SELECT s.id, s.recorded_at, s.channel, s.first_name AS given_name, s.details, p.first_name,
                  p.id AS participant_id, p.withdrawn_at, u.username AS recorded_by
             FROM signups s JOIN participants p ON p.id = s.participant_id
             LEFT JOIN users u ON u.id = s.recorded_by
            WHERE s.awaiting = 1 AND {followed}
            ORDER BY s.recorded_at""",
        params,
    ).fetchall()


def tell_coordinators_signups_paused(db, campaign_id):
    """Note (once an hour) that a campaign's self sign-ups hit their limit: the campaigns page says so."""
    an_hour_ago = (clock.now() - timedelta(hours=1)).isoformat(timespec="seconds")
    told = db.execute(
        "SELECT 1 FROM audit_log WHERE action = 'self_signup.paused' AND record = ? AND at >= ?",
        [f"campaign:{campaign_id}", an_hour_ago],
    ).fetchone()
    if not told:
        audit.record(db, "self_signup.paused", detail=f"campaign:{campaign_id}", user_id=None)


def capped_campaigns(db, days=1):
    """Campaigns whose self sign-ups were paused in the last day, with when."""
    since = (clock.now() - timedelta(days=days)).isoformat(timespec="seconds")
    return db.execute(
        """SELECT c.id, c.name, max(a.at) AS at FROM audit_log a JOIN campaigns c ON a.record = 'campaign:' || c.id
            WHERE a.action = 'self_signup.paused' AND a.at >= ? GROUP BY c.id ORDER BY c.name""",
        [since],
    ).fetchall()


def awaiting_signup(db, signup_id):
    return db.execute("SELECT * FROM signups WHERE id = ? AND awaiting = 1", [signup_id]).fetchone()


def join_awaiting(db, signup):
    """The same woman: the sign-up joins her record, with its consent and card."""
    if not decide(db, signup["id"]):
        return False
    clean = json.loads(signup["details"])
    add_consent_and_card(db, signup["participant_id"], clean, signup["recorded_at"], signup["recorded_by"])
    db.execute("UPDATE signups SET merged = 1 WHERE id = ?", [signup["id"]])
    casework.signed_up_again(db, signup["participant_id"])
    return True


def decide(db, signup_id):
    """Take a waiting sign-up off the list; False when someone decided it already (inside the caller's
    transaction, so two decisions cannot both go through)."""
    return (
        db.execute("UPDATE signups SET awaiting = 0 WHERE id = ? AND awaiting = 1", [signup_id]).rowcount == 1
    )


def separate_awaiting(db, signup):
    """Another woman sharing the phone: she is registered on her own, without the number (it is the other
    woman's, and leaves her sign-up too); return her id, or None when someone decided it already."""
    if not decide(db, signup["id"]):
        return None
    clean = json.loads(signup["details"]) | {"phone": None}
    participant_id = insert_participant(db, signup["id"], clean, clock.now_iso(), signup["recorded_by"])
    add_consent_and_card(db, participant_id, clean, signup["recorded_at"], signup["recorded_by"])
    db.execute(
        "UPDATE signups SET participant_id = ?, details = ? WHERE id = ?",
        [participant_id, json.dumps(clean, ensure_ascii=False), signup["id"]],
    )
    return participant_id


def insert_participant(db, signup_id, clean, now, user_id):
    """Add a new woman from a checked sign-up; return her id."""
    return db.execute(
        "INSERT INTO participants (client_id, first_name, phone, language, estate_id, year_of_birth,"
        " subgroup, interests, availability, childcare, channel, campaign_id, registered_at, registered_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            signup_id,
            clean["first_name"],
            clean["phone"],
            clean["language"],
            clean["estate_id"],
            clean["year_of_birth"],
            clean["subgroup"],
            json.dumps(clean["interests"]),
            json.dumps(clean["availability"]),
            int(clean["childcare"]),
            clean["channel"],
            clean["campaign_id"],
            now,
            user_id,
        ],
    ).lastrowid


def signups_by_user(db, user_id, days=30):
    """Return a worker's own sign-ups of the last days, newest first."""
    since = (clock.now() - timedelta(days=days)).isoformat(timespec="seconds")
    return db.execute(
        """SELECT s.id, s.recorded_at, s.merged, s.channel, s.first_name, e.name AS estate
             FROM signups s JOIN participants p ON p.id = s.participant_id
             LEFT JOIN estates e ON e.id = s.estate_id
            WHERE s.recorded_by = ? AND s.recorded_at >= ? AND (s.awaiting = 1 OR p.withdrawn_at IS NULL)
            ORDER BY s.recorded_at DESC""",
        [user_id, since],
    ).fetchall()


def new_poster_code():
    """Return a new poster code: short, to type from paper in any case (tokens.new_short_code)."""
    return new_short_code()


def create_campaign(db, name, starts_on, ends_on, estate_ids, languages, user_id, channels):
    """Add a campaign with a poster code for each channel; return its id."""
    now = clock.now_iso()
    campaign_id = db.execute(
        "INSERT INTO campaigns (name, starts_on, ends_on, languages, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [name, starts_on, ends_on, json.dumps(languages), user_id, now],
    ).lastrowid
    for estate_id in estate_ids:
        db.execute(
            "INSERT INTO campaign_estates (campaign_id, estate_id) VALUES (?, ?)",
            [campaign_id, estate_id],
        )
    for channel in channels:
        db.execute(
            "INSERT INTO poster_codes (code, campaign_id, channel, created_at) VALUES (?, ?, ?, ?)",
            [new_poster_code(), campaign_id, channel, now],
        )
    audit.record(db, "campaign.create", detail=f"campaign:{campaign_id}", user_id=user_id)
    return campaign_id


def all_campaigns(db):
    """Return every campaign, newest first, with its number of sign-ups."""
    return db.execute(
        """SELECT c.*, (SELECT count(DISTINCT participant_id) FROM signups s WHERE s.campaign_id = c.id) AS signups
             FROM campaigns c ORDER BY c.starts_on DESC, c.id DESC"""
    ).fetchall()


def campaign(db, campaign_id):
    """Return one campaign, or None."""
    return db.execute("SELECT * FROM campaigns WHERE id = ?", [campaign_id]).fetchone()


def campaign_estate_names(db, campaign_id):
    """Return the names of a campaign's estates."""
    return [
        row["name"]
        for row in db.execute(
            """SELECT e.name FROM campaign_estates ce JOIN estates e ON e.id = ce.estate_id
                WHERE ce.campaign_id = ? ORDER BY e.name""",
            [campaign_id],
        )
    ]


def signups_per_channel(db, campaign_id):
    """Return {channel: women signed up} for a campaign."""
    rows = db.execute(
        "SELECT channel, count(DISTINCT participant_id) AS signups FROM signups WHERE campaign_id = ?"
        " GROUP BY channel",
        [campaign_id],
    )
    return {row["channel"]: row["signups"] for row in rows}


def signups_per_estate(db, campaign_id):
    """Return each estate's name with the women signed up there in a campaign."""
    return db.execute(
        """SELECT e.name, count(DISTINCT s.participant_id) AS signups
             FROM signups s JOIN estates e ON e.id = s.estate_id
            WHERE s.campaign_id = ? GROUP BY e.id ORDER BY e.name""",
        [campaign_id],
    ).fetchall()


def poster_codes(db, campaign_id):
    """Return {channel: poster code} for a campaign."""
    rows = db.execute("SELECT channel, code FROM poster_codes WHERE campaign_id = ?", [campaign_id])
    return {row["channel"]: row["code"] for row in rows}


def poster(db, code):
    """Return the campaign and channel a poster's short code stands for (as stored, or as typed), or None."""
    return db.execute(
        """SELECT p.code, p.channel, c.id AS campaign_id, c.name, c.languages, c.starts_on, c.ends_on
             FROM poster_codes p JOIN campaigns c ON c.id = p.campaign_id WHERE p.code IN (?, ?)
            ORDER BY p.code = ? DESC LIMIT 1""",
        [code, typed_short_code(code), code],
    ).fetchone()


def merged_signups(db, user, days=30):
    """Return the sign-ups of the last days that joined a woman already registered (among the women `user`
    follows)."""
    since = (clock.now() - timedelta(days=days)).isoformat(timespec="seconds")
    followed, params = access.followed_participants(user)
    return db.execute(
        f"""SELECT s.recorded_at, s.channel, s.first_name AS given_name, p.first_name, p.id AS participant_id,
                  u.username AS recorded_by
             FROM signups s JOIN participants p ON p.id = s.participant_id
             LEFT JOIN users u ON u.id = s.recorded_by
            WHERE s.merged = 1 AND s.recorded_at >= ? AND p.withdrawn_at IS NULL AND {followed}
            ORDER BY s.recorded_at DESC""",
        [since, *params],
    ).fetchall()
