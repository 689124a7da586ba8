"""Reading the relation the server's error position points at (unmigrated.relation_at)."""

from __future__ import annotations

import pytest

from django_orm_views_hook.migrate.unmigrated import relation_at

SQL = 'CREATE VIEW "views"."v" AS SELECT * FROM public . "Odd""Name" o JOIN Shop_Order s ON true'


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("public", 'Odd"Name'),  # schema-qualified, spaces around the dot, a quoted quote
        ('"Odd', 'Odd"Name'),
        ("Shop_Order", "shop_order"),  # unquoted: folded to lower case, as the server stores it
        ("ON", "on"),
    ],
)
def test_the_last_identifier_of_the_reference_at_the_position(at, expected):
    assert relation_at(SQL, SQL.index(at) + 1) == expected


def test_no_identifier_there():
    assert relation_at(SQL, SQL.index("*") + 1) is None
