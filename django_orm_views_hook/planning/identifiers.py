"""PostgreSQL identifiers: the names the sync refuses, and names made to fit 63 bytes.

PostgreSQL silently truncates an identifier to NAMEDATALEN - 1 bytes, so two long names could
become one; a quote or a NUL cannot be quoted safely. Names the package derives (an index, a
build area, a refresh area) that would not fit get a hashed stand-in, always the same for the
same name, so that a later run finds them again.
"""

from __future__ import annotations

import hashlib

from ..exceptions import ViewDefinitionError

#: PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1).
MAX_IDENTIFIER_BYTES = 63
#: The schema of the package's own state (database/refresh_state.py): never a schema of views.
#: Stored in users' databases: never changes (tests/unit/test_stored_values.py pins it).
STATE_SCHEMA = "django_orm_views_hook"
RESERVED_SCHEMAS = frozenset({"public", "information_schema", STATE_SCHEMA})


def check_identifier(owner: str, what: str, value: object) -> str:
    """Refuse identifiers that quoting cannot make safe or that PostgreSQL would truncate."""
    if not isinstance(value, str) or not value:
        raise ViewDefinitionError(f"{owner}: {what} must be a non-empty string, not {value!r}.")
    if '"' in value or "\x00" in value:
        raise ViewDefinitionError(
            f"{owner}: {what} {value!r} contains a double quote or a NUL byte; choose another."
        )
    try:
        value.encode()
    except UnicodeEncodeError as exc:
        raise ViewDefinitionError(f"{owner}: {what} {value!r} is not valid Unicode text.") from exc
    if len(value.encode()) > MAX_IDENTIFIER_BYTES:
        raise ViewDefinitionError(
            f"{owner}: {what} {value!r} is {len(value.encode())} bytes long; PostgreSQL "
            f"truncates identifiers to {MAX_IDENTIFIER_BYTES}. Set a shorter `name` or `prefix`."
        )
    return value


def check_schema(owner: str, schema: object) -> str:
    schema = check_identifier(owner, "schema", schema)
    if schema in RESERVED_SCHEMAS or schema.startswith("pg_"):
        raise ViewDefinitionError(
            f"{owner}: schema {schema!r} is reserved or shared; the managed schema is rebuilt "
            "by this package, so give it a schema of its own (ORM_VIEWS_SCHEMA or `schema`)."
        )
    return schema


def pk_index_name(view: str, pk_field: str) -> str:
    """The name of a materialised view's pk_field index, before the plan makes it fit (and
    unique): stored in users' databases, so it never changes."""
    return f"{view}_{pk_field}_uniq"


def fits(name: str) -> bool:
    """Whether PostgreSQL keeps `name` whole."""
    return len(name.encode()) <= MAX_IDENTIFIER_BYTES


def hex_digest(text: str, length: int) -> str:
    """The first `length` hex digits of the SHA-256 of `text`."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def fitting(name: str, stand_in: str) -> str:
    """`name` when PostgreSQL keeps it whole, else `stand_in` (a hashed name that fits)."""
    return name if fits(name) else stand_in


def hashed_identifier(name: str) -> str:
    """`name` cut to fit 63 bytes (at a character boundary) with 8 hex digits of its hash."""
    digest = hex_digest(name, 8)
    head = name.encode()[: MAX_IDENTIFIER_BYTES - len(digest) - 1].decode(errors="ignore")
    return f"{head}_{digest}"
