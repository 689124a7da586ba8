"""What the package writes into users' databases to find its own objects again.

The ownership mark and the digest record in comments, the build area's name and mark, the
state schema's mark and objects, the advisory lock's key, the pg_cron job's name. They are
read back by later versions of the package, so they never change; tests/unit/test_stored_values.py
pins each. The comment of a view is written and read here, nowhere else.
"""

from __future__ import annotations

import zlib

from ..planning.identifiers import fitting, hex_digest

#: Every object this package creates carries this at the start of its comment; the sync
#: trusts the database's own record, not the current code, to know what it may drop.
OWNER_MARK = "Managed by django_orm_views_hook."
#: A view's comment records the digest of the definition it was built from.
DIGEST_PREFIX = OWNER_MARK + " digest="
#: The comment of a tenant's views schema (django-tenants) starts with this, and ends with the
#: tenant's schema: the shared sync leaves it alone unless that tenant is gone.
TENANT_MARK = OWNER_MARK + " Views of tenant: "
#: The comment of a build area (see `build_schema`). It does not start with OWNER_MARK: a build
#: area is never a managed schema, only a place the sync empties before it commits.
BUILD_MARK = "Build area of django_orm_views_hook"
#: The start of the comments of the state schema and its objects (planning.identifiers'
#: STATE_SCHEMA): the package made them. Not OWNER_MARK: no sync ever takes it for a schema
#: of views, so none drops it.
STATE_MARK = "State of django_orm_views_hook"
STATE_TABLE = "refresh_state"
SCHEDULE_TABLE = "refresh_schedule"
PROCEDURE = "refresh_due"
#: Key of the advisory lock that serialises syncs (and migrates) on one database.
DEPLOY_LOCK_KEY = zlib.crc32(b"django_orm_views_hook")


def tenant_lock_key(tenant: str) -> int:
    """Key of the deploy lock of one tenant (django-tenants): its runs hold DEPLOY_LOCK_KEY in
    shared mode and this one exclusively, so that tenants migrate side by side."""
    return zlib.crc32(f"django_orm_views_hook:tenant:{tenant}".encode())


#: Key of the advisory lock that serialises the creation of the state objects.
STATE_LOCK_KEY = zlib.crc32(b"django_orm_views_hook.refresh_state")
#: What makes a pg_cron job ours: the start of its name.
JOB_PREFIX = "django_orm_views_hook:"
JOB_NAME = JOB_PREFIX + "refresh_due"


def digest_record(digest: str) -> str:
    """The end of a view's comment: the mark and the digest it was built from."""
    return DIGEST_PREFIX + digest


def view_comment(documentation: str | None, digest: str) -> str:
    """A view's comment: its documentation for analysts first, the record last."""
    record = digest_record(digest)
    return f"{documentation}\n\n{record}" if documentation else record


def recorded_digest(comment: str | None) -> str | None:
    """The digest a view's comment records (the record ends it); None without one."""
    _, found, recorded = (comment or "").rpartition(DIGEST_PREFIX)
    return recorded if found else None


def schema_mark(tenant: str | None) -> str:
    """The comment of a managed schema: of the views built once, or of one tenant's copies."""
    return OWNER_MARK if tenant is None else TENANT_MARK + tenant


def build_schema(schema: str) -> str:
    """The build area of `schema`: where the replacements of its live views are built, with
    their data and indexes, before being moved in. Index names are unique per schema, so the
    replacements keep their final names there and nothing is renamed."""
    return fitting(f"{schema}__orm_build", "orm_build_" + hex_digest(schema, 24))


def build_area_comment(schema: str) -> str:
    return (
        f"{BUILD_MARK}: replacements of the views of schema {schema} are built here, then moved "
        "there in the same transaction; the next sync drops a leftover."
    )
