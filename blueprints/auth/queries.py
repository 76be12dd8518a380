"""Staff accounts, the audit log and the attempt counts: all the SQL of the auth area."""

import audit
import clock


def user_by_id(db, user_id):
    """Return one staff account, or None."""
    return db.execute("SELECT * FROM users WHERE id = ?", [user_id]).fetchone()


def user_by_username(db, username):
    """Return the staff account with this username (any case), or None."""
    return db.execute("SELECT * FROM users WHERE username = ?", [username]).fetchone()


def all_users(db):
    """Return every staff account, by role and username."""
    return db.execute("SELECT * FROM users ORDER BY role, username").fetchall()


def insert_user(db, username, display_name, role, password_hash):
    """Add a staff account; return its id (raises IntegrityError for a username in use)."""
    return db.execute(
        "INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        [username, display_name, role, password_hash, clock.now_iso()],
    ).lastrowid


def update_password(db, user_id, password_hash):
    """Store a new password hash."""
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])


def update_role(db, user_id, role):
    """Give an account another role."""
    db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])


def active_admins(db):
    """Count the active administrator accounts."""
    return db.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1").fetchone()[0]


def update_active(db, user_id, active):
    """Enable or disable an account."""
    db.execute("UPDATE users SET active = ? WHERE id = ?", [int(active), user_id])


def end_sessions(db, user_id, except_hash=None):
    """End a user's sessions (all, or all but the one whose id hashes to `except_hash`)."""
    db.execute("DELETE FROM staff_sessions WHERE user_id = ? AND id_hash IS NOT ?", [user_id, except_hash])


def record_event(db, user_id, action, record=""):
    """Write to the audit log: ids only, never names or phone numbers."""
    audit.record(db, action, detail=record, user_id=user_id)


def attempts_since(db, key_hash, since):
    """Count the attempts counted under a key since a moment."""
    return db.execute(
        "SELECT count(*) FROM login_failures WHERE key_hash = ? AND failed_at > ?", [key_hash, since]
    ).fetchone()[0]


def add_attempt(db, key_hash):
    """Count one attempt under a key, now."""
    db.execute("INSERT INTO login_failures (key_hash, failed_at) VALUES (?, ?)", [key_hash, clock.now_iso()])


def delete_attempts_before(db, since):
    """Forget attempts too old to count."""
    db.execute("DELETE FROM login_failures WHERE failed_at < ?", [since])


def delete_attempts(db, key_hashes):
    """Forget the attempts counted under these keys."""
    db.execute(
        f"DELETE FROM login_failures WHERE key_hash IN ({', '.join('?' * len(key_hashes))})", key_hashes
    )


def set_totp(db, user_id, secret, step, stamp):
    """Store a confirmed TOTP secret and the step of the code that confirmed it; 0 if she has one."""
    return db.execute(
        "UPDATE users SET totp_secret = ?, totp_last_step = ?, totp_enabled_at = ?"
        " WHERE id = ? AND totp_secret IS NULL",  # one already set is changed only by turning it off first
        [secret, step, stamp, user_id],
    ).rowcount


def update_totp_step(db, user_id, step):
    """Remember the last time step used: its code, and any before it, no longer work."""
    db.execute("UPDATE users SET totp_last_step = ? WHERE id = ?", [step, user_id])


def clear_totp(db, user_id):
    """Remove a second factor and its recovery codes."""
    db.execute(
        "UPDATE users SET totp_secret = NULL, totp_last_step = 0, totp_enabled_at = NULL WHERE id = ?",
        [user_id],
    )
    db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])


def replace_recovery_codes(db, user_id, code_hashes):
    """Store new recovery codes (hashed) in place of the old ones."""
    db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
    db.conn.executemany(
        "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", [[user_id, h] for h in code_hashes]
    )


def use_recovery_code(db, user_id, code_hash):
    """Use up one unused recovery code; True if there was one."""
    return bool(
        db.execute(
            "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
            [clock.now_iso(), user_id, code_hash],
        ).rowcount
    )


def unused_recovery_codes(db, user_id):
    """Count her recovery codes not used yet."""
    return db.execute(
        "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", [user_id]
    ).fetchone()[0]


def delete_latest_attempt(db, key_hash):
    """Forget the latest attempt counted under a key (one that turned out right)."""
    db.execute(
        "DELETE FROM login_failures WHERE rowid ="
        " (SELECT rowid FROM login_failures WHERE key_hash = ? ORDER BY failed_at DESC, rowid DESC LIMIT 1)",
        [key_hash],
    )


def last_attempt_at(db, key_hash):
    """When the last attempt under a key was counted (ISO text), or None."""
    return db.execute("SELECT max(failed_at) FROM login_failures WHERE key_hash = ?", [key_hash]).fetchone()[
        0
    ]
