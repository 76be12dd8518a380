"""Check-in and attendance: the rules and SQL shared by the outbox, the roster and the register."""
