"""Real login roles for tests that connect as someone else than the test user."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from tests.support.migrating import execute


@contextlib.contextmanager
def login_role(prefix: str, *options: str) -> Iterator[tuple[str, BaseDatabaseWrapper]]:
    """A new role that can log in, and a connection of its own logged in as it.

    Roles are server-wide and the server may be shared, so the name is unique; the role, what
    it owns and its privileges (in the default database) are dropped afterwards. `options` are
    ALTER ROLE clauses run before it connects ("SUPERUSER", "SET ... = off").
    """
    role, password = f"{prefix}_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    default = connections["default"]
    connection = type(default)(
        {**default.settings_dict, "USER": role, "PASSWORD": password}, f"as_{role}"
    )
    connections[connection.alias] = connection  # transaction.atomic(using=alias) finds it
    try:
        for option in options:
            execute(f"ALTER ROLE {role} {option}")
        yield role, connection
    finally:
        connection.close()
        del connections[connection.alias]
        execute(f"DROP OWNED BY {role}")
        execute(f"DROP ROLE {role}")
