"""What the package leaves in users' databases and names to its users never changes.

Later versions read back the marks and names written by earlier ones (a view built last year
must still be recognised as ours, with the digest it was built from; a leftover build area
must still be found; a deploy of the old code and one of the new must still exclude each
other), and users configure logging and subclass commands by the names README gives. The
values are written out here, not imported, so that a change to any of them fails this test.
"""

from __future__ import annotations

import hashlib
import logging
import pkgutil
from importlib import import_module

from django.apps import apps

import django_orm_views_hook
from django_orm_views_hook.planning.identifiers import (
    STATE_SCHEMA,
    hashed_identifier,
    pk_index_name,
)
from django_orm_views_hook.planning.plan import ViewSpec
from django_orm_views_hook.sql import marks
from django_orm_views_hook.sql.refresh_script import refresh_area
from django_orm_views_hook.sync import executor


def test_ownership_marks_and_the_digest_comment():
    assert marks.OWNER_MARK == "Managed by django_orm_views_hook."
    assert marks.DIGEST_PREFIX == "Managed by django_orm_views_hook. digest="
    assert (
        marks.view_comment(None, "0123abcd") == "Managed by django_orm_views_hook. digest=0123abcd"
    )
    documented = marks.view_comment("Revenue per month.", "0123abcd")
    assert documented == "Revenue per month.\n\nManaged by django_orm_views_hook. digest=0123abcd"


def test_the_digest_is_read_back_from_the_end_of_the_comment():
    assert marks.recorded_digest(marks.view_comment("Doc", "feed")) == "feed"
    quoted = "A comment that quotes Managed by django_orm_views_hook. digest=old"
    assert marks.recorded_digest(marks.view_comment(quoted, "new")) == "new"
    assert marks.recorded_digest("Written by hand.") is None
    assert marks.recorded_digest(None) is None


def test_the_marks_and_lock_of_a_tenants_views():
    """django-tenants: a tenant's views schema says whose it is; its deploy lock is its own."""
    assert marks.TENANT_MARK == "Managed by django_orm_views_hook. Views of tenant: "
    assert marks.schema_mark("alpha") == "Managed by django_orm_views_hook. Views of tenant: alpha"
    assert marks.schema_mark(None) == "Managed by django_orm_views_hook."
    assert marks.tenant_lock_key("alpha") == 4278990976


def test_build_areas():
    assert marks.BUILD_MARK == "Build area of django_orm_views_hook"
    assert marks.build_schema("views") == "views__orm_build"
    assert marks.build_schema("s" * 60) == "orm_build_b577fa8952c9e257e943c1ca"
    assert marks.build_area_comment("views") == (
        "Build area of django_orm_views_hook: replacements of the views of schema views are "
        "built here, then moved there in the same transaction; the next sync drops a leftover."
    )


def test_the_state_schema_and_its_objects():
    assert STATE_SCHEMA == "django_orm_views_hook"
    assert marks.STATE_MARK == "State of django_orm_views_hook"
    assert (marks.STATE_TABLE, marks.SCHEDULE_TABLE, marks.PROCEDURE) == (
        "refresh_state",
        "refresh_schedule",
        "refresh_due",
    )


def test_advisory_lock_keys():
    """zlib.crc32 of b"django_orm_views_hook" and of b"django_orm_views_hook.refresh_state"."""
    assert marks.DEPLOY_LOCK_KEY == 1633702050
    assert marks.STATE_LOCK_KEY == 4229955934


def test_the_pg_cron_job_name():
    assert marks.JOB_PREFIX == "django_orm_views_hook:"
    assert marks.JOB_NAME == "django_orm_views_hook:refresh_due"


def test_index_and_refresh_area_names():
    assert pk_index_name("totals", "id") == "totals_id_uniq"
    long = "v" * 60 + "_id_uniq"
    assert hashed_identifier(long) == "v" * 54 + "_" + hashlib.sha256(long.encode()).hexdigest()[:8]
    assert hashed_identifier(long) == "v" * 54 + "_f650c492"
    assert refresh_area(ViewSpec("x.Y", "views", "monthly", "SELECT 1")) == (
        "views__orm_refresh_90ac6c4d275d"
    )
    assert refresh_area(ViewSpec("x.Y", "s" * 60, "monthly", "SELECT 1")) == (
        "orm_refresh_1144877c867053b29cf3532420a71a36"
    )


def test_logger_names():
    """README: the `django_orm_views_hook` loggers; revokes and undeclared reads are logged by
    `django_orm_views_hook.executor`."""
    assert executor.logger.name == "django_orm_views_hook.executor"
    package = django_orm_views_hook.__path__
    for info in pkgutil.walk_packages(package, prefix="django_orm_views_hook."):
        logger = getattr(import_module(info.name), "logger", None)
        if isinstance(logger, logging.Logger):
            assert logger.name.startswith("django_orm_views_hook."), info.name


def test_the_commands_users_subclass_and_the_app_label():
    """The W001/W002 checks tell users to subclass these by their dotted paths."""
    for name in ("migrate", "makemigrations", "dumpdata"):
        module = import_module(f"django_orm_views_hook.management.commands.{name}")
        assert module.Command.__module__ == f"django_orm_views_hook.management.commands.{name}"
    assert apps.get_app_config("django_orm_views_hook").name == "django_orm_views_hook"
