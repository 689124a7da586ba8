"""The SQLSTATE codes the package tells apart, PostgreSQL's and its own, and how to read them.

PostgreSQL's codes (Appendix A of its documentation) and the three the refresh guard raises
(class OVR, which PostgreSQL leaves to applications) live here and nowhere else.
"""

from __future__ import annotations

#: lock_timeout expired.
LOCK_NOT_AVAILABLE = "55P03"
#: The deadlock detector cancelled a statement (a reader taking locks in another order).
DEADLOCK_DETECTED = "40P01"
#: pg_cancel_backend of another role's session, without pg_signal_backend.
INSUFFICIENT_PRIVILEGE = "42501"
#: A view reads a table, or a column, the schema does not have.
UNDEFINED_TABLE = "42P01"
UNDEFINED_COLUMN = "42703"
#: Classes of failures of the server itself, whichever statement met them: insufficient
#: resources (53200 out of shared memory), operator intervention, system errors, internal errors.
SERVER_WIDE_CLASSES = ("53", "57", "58", "XX")

#: Raised by the refresh guard (sql/refresh_script.py): a migrate or sync is running (the
#: refresh is skipped, not failed); the live views differ from the code; the drop would destroy
#: someone else's object.
DEPLOY_RUNNING, DEFINITION_DIFFERS, FOREIGN_DEPENDENTS = "OVR01", "OVR02", "OVR03"


def of(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error Django wrapped (psycopg 2 or 3)."""
    cause = exc.__cause__
    return getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)


def position(exc: BaseException) -> int | None:
    """Where the server located a database error in its statement (1-based), if it did."""
    diag = getattr(exc.__cause__, "diag", None)
    found = getattr(diag, "statement_position", None)
    return int(found) if found else None
