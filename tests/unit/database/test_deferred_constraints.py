"""Which tables a statement alters, drops or truncates: those PostgreSQL refuses to touch while
their deferred checks are pending."""

import pytest

from django_orm_views_hook.database.deferred_constraints import tables_checked_by


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('ALTER TABLE "shop_order" ADD COLUMN "note" varchar(100)', [(None, "shop_order")]),
        ('SET CONSTRAINTS "fk" IMMEDIATE; ALTER TABLE s."T" DROP CONSTRAINT "fk"', [("s", "T")]),
        ("ALTER TABLE IF EXISTS ONLY a ALTER COLUMN b TYPE bigint", [(None, "a")]),
        ("DROP TABLE a, b.c CASCADE", [(None, "a"), ("b", "c")]),
        ("TRUNCATE ONLY x, y", [(None, "x"), (None, "y")]),
        ("alter table a add column b int; alter table a add column c int", [(None, "a")]),
        ("SELECT 'ALTER TABLE a'", []),
        ("UPDATE a SET b = 1", []),
        ("DROP VIEW v", []),
        ("DROP INDEX i", []),
        ("CREATE INDEX i ON a (b)", []),
        ("ALTER TABLE oops oops", []),  # does not parse: the server reports it
    ],
)
def test_tables_checked_by(sql, tables):
    assert list(tables_checked_by(sql)) == tables
