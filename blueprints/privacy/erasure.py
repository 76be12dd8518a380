"""Withdrawal of consent, erasure and the retention rules: what happens to her data, in one place."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

import audit
import clock
import settings
from db import transaction

from ..groups import queries as groups
from ..me import links
from . import ledger, queries

WITHDRAWAL_WAYS = ("in_person", "phone", "text", "in_writing", "other")


def withdraw(db, participant_id, withdrawn_on, how, user_id, erase_now=False):
    """Record that she withdrew her consent: from now on she gets no texts and is in no list or group; her
    link and cards stop. Her data is erased after the grace period (or at once)."""
    grace = timedelta(days=settings.get(db, "erasure_grace_days"))
    withdrawn_at = withdrawn_on.isoformat()  # the day she said it; the grace period runs from now
    with transaction(db):
        queries.record_withdrawal(
            db,
            participant_id,
            withdrawn_at,
            how,
            user_id,
            (clock.now() + grace).isoformat(timespec="seconds"),
        )
        for group_id in queries.active_groups(db, participant_id):
            groups.leave(db, group_id, participant_id)
        links.revoke_links(db, participant_id)
        queries.stop_printed_cards(db, participant_id)
        audit.record(
            db, "participant.withdraw", participant_id, f"on:{withdrawn_on} how:{how}", user_id=user_id
        )
        erased = erase_now or grace.days == 0
        if erased:
            erase(db, participant_id, "withdrawn", user_id=user_id)
    if erased:
        overwrite_the_journal(db)


def undo_withdrawal(db, participant_id, user_id):
    """A withdrawal recorded by mistake (before erasure): she is in the lists again; her groups, link and
    cards are not given back (a coordinator enrols her again and makes her a new link)."""
    row = queries.participant(db, participant_id)
    with transaction(db):
        queries.undo_withdrawal(db, participant_id, row["withdrawn_at"])
        audit.record(db, "participant.withdraw_undo", participant_id, user_id=user_id)


def erase(db, participant_id, reason, user_id=..., again=False):
    """Erase every row that names or identifies her; keep an anonymous tally for the programme's reports,
    her attendance as numbers per session, and her id in the ledger, in the database (a resent sign-up
    answers `gone`) and in the file beside it (a restored backup erases her again). `again`: erased once
    already, from a restored backup's ledger: the file has her."""
    with transaction(db):
        tally = queries.tally_of(db, participant_id)
        if tally is None:
            return False
        queries.add_tally(db, tally, clock.now().strftime("%Y-%m"), reason)
        queries.count_attendance_anonymously(db, participant_id)
        signup_ids = queries.signup_ids_of(db, participant_id)
        deleted = queries.delete_everything_about(db, participant_id)
        queries.add_to_ledger(db, participant_id, reason)
        if not again:
            ledger.append(ledger.path_of(db), participant_id, signup_ids, clock.now_iso())
        counts = " ".join(f"{table}:{count}" for table, count in deleted.items() if count)
        audit.record(db, "participant.erase", participant_id, f"reason:{reason} {counts}", user_id=user_id)
    if not db.conn.in_transaction:
        overwrite_the_journal(db)
    return True


def erase_again_from_the_ledger(db, path):
    """After a restore: erase again everyone the ledger file names who is in the restored database, and note
    every erased woman and sign-up in the database's own ledger, so a late resend answers `gone`. Return the
    ids erased again."""
    erased = []
    for entry in ledger.entries(path):
        participant_id = entry["participant_id"]
        if erase(db, participant_id, "erased_before_the_restore", user_id=audit.COMMAND_LINE, again=True):
            erased.append(participant_id)
        with transaction(db):
            queries.remember_erasure(
                db, participant_id, entry.get("signup_ids") or [], entry.get("erased_at")
            )
    return erased


def overwrite_the_journal(db):
    """Deleted rows are overwritten in the file (secure_delete); the write-ahead log still holds the old
    pages until a checkpoint copies it back and truncates it. Best effort: a reader may hold it a while."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---- Retention --------------------------------------------------------------------------------------------


def due(db):
    """{reason: [participant ids]} that the retention rules would erase now."""
    never_joined = settings.get(db, "never_joined_months")
    registered_before = (clock.now() - timedelta(days=round(never_joined * 30.44))).isoformat(
        timespec="seconds"
    )
    ends = settings.get_date(db, "programme_ends_on")
    after_end = relativedelta(months=settings.get(db, "left_after_end_months"))
    programme_over = ends is not None and clock.today() > ends + after_end
    set_aside = relativedelta(months=settings.get(db, "set_aside_months"))
    called_before = (clock.now() - set_aside).isoformat(timespec="seconds")
    never_joined_ids = queries.never_joined_since(db, registered_before)
    counted = set(never_joined_ids)  # a woman due under both rules is erased (and counted) once
    return {
        "withdrawn": queries.due_for_erasure(db, clock.now_iso()),
        "never_joined": never_joined_ids,
        "set_aside": [i for i in queries.set_aside_before(db, called_before) if i not in counted],
        "left": queries.left_every_group(db) if programme_over else [],
    }


def audit_cutoff(db):
    years = settings.get(db, "audit_years")
    now = clock.now()
    try:
        cutoff = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        cutoff = now.replace(year=now.year - years, day=28)
    return cutoff.isoformat(timespec="seconds")


def run_retention(db, dry_run=False):
    """Erase what the rules say is due, and audit rows older than the audit retention.
    Return ({reason: [ids]}, audit rows deleted)."""
    found = due(db)
    if dry_run:
        old = db.execute("SELECT count(*) FROM audit_log WHERE at < ?", [audit_cutoff(db)]).fetchone()[0]
        return found, old
    for reason, ids in found.items():
        for participant_id in ids:
            erase(db, participant_id, reason, user_id=audit.COMMAND_LINE)
    with transaction(db):
        deleted = audit.delete_older_than(db, audit_cutoff(db))
        audit.record(db, "retention.run", detail=" ".join(f"{k}:{len(v)}" for k, v in found.items()))
    return found, deleted
