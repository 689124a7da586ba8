"""Privileges as the catalog has them, and who the sync runs as.

An ACL is read with `aclexplode` as 'PRIVILEGE:grantee' strings, the owner's own left out and
'' for PUBLIC, and compared as (privilege, grantee) pairs (planning/diff.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..planning.state import Privilege, Session


def acl_sql(acl: str, owner: str) -> str:
    """An SQL expression: the privileges of `acl` (a column) but the `owner`'s, as a sorted
    text[] of 'PRIVILEGE:grantee' ('' for PUBLIC). Column names only, never user input."""
    return (
        "ARRAY(SELECT a.privilege_type || ':' || CASE WHEN a.grantee = 0 THEN '' "
        "ELSE pg_get_userbyid(a.grantee)::text END "
        f"FROM aclexplode({acl}) a WHERE a.grantee <> {owner} ORDER BY 1)"
    )


def parse_acl(acl: Sequence[str]) -> frozenset[Privilege]:
    """The pairs of an `acl_sql` array."""
    pairs = (item.split(":", 1) for item in acl)
    return frozenset((privilege, grantee or None) for privilege, grantee in pairs)


# Who this session is, where unqualified names resolve, and which of the grantees exist.
SESSION_SQL = """
SELECT current_user::text, current_schemas(false)::text[],
       ARRAY(SELECT rolname::text FROM pg_roles WHERE rolname = ANY(%s))
"""


def session(cursor: Any, roles: Sequence[str]) -> Session:
    """This session's user and search_path, and which of `roles` exist."""
    cursor.execute(SESSION_SQL, [list(roles)])
    user, search_path, existing = cursor.fetchone()
    return Session(user, tuple(search_path), frozenset(existing))
