"""Queryset parameters inlined into a view select exactly the rows the ORM selects.

Run under psycopg 3, psycopg 3 with `server_side_binding`, and psycopg2: each driver inlines
the parameters itself, and the view must agree with the ORM's own (bound) query.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_orm_views_hook import PostgresViewFromQueryset, sync_views
from django_orm_views_hook.definitions.registry import Registry
from django_orm_views_hook.sync.plans import build_plan
from tests.support import factories
from tests.support.catalog import catalog
from tests.testapp import models
from tests.testapp.postgres_views import PARIS, ParametersView

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NEW_YORK = datetime.timezone(datetime.timedelta(hours=-5))
STRINGS = ["it's", 'say "hi"', "back\\slash", "plain", "100%"]
NEAR_MISSES = [
    "it''s",
    "its",
    "say 'hi'",
    "back\\\\slash",
    "backslash",
    "plain ",
    "PLAIN",
    "100",
    "100%%",
    "100\\%",
    "10_%",
    "%",
]


def view_rows(view: str, columns: str = "id") -> list[tuple]:
    return catalog(f'SELECT {columns} FROM "views"."{view}" ORDER BY id')


def make_rows() -> set[int]:
    """Rows on both sides of every condition of ParametersView; returns the ids it selects."""
    selected = {factories.TestModelFactory(character_col=text).id for text in STRINGS}
    cases = [
        (True, {"date_col": datetime.date(2024, 1, 31)}),
        (False, {"date_col": datetime.date(2024, 1, 30)}),
        (True, {"datetime_col": datetime.datetime(2030, 6, 1, 10, 29, 59, 999999, tzinfo=UTC)}),
        (False, {"datetime_col": datetime.datetime(2030, 6, 1, 10, 30, tzinfo=UTC)}),
        (True, {"datetime_col": datetime.datetime(2030, 6, 1, 12, 29, tzinfo=PARIS)}),
        (False, {"datetime_col": datetime.datetime(2030, 6, 1, 5, 30, tzinfo=NEW_YORK)}),
        (True, {"decimal_col": Decimal("1234.56")}),
        (False, {"decimal_col": Decimal("1234.57")}),
        (True, {"decimal_col": Decimal("-5.00")}),
    ]
    for matches, fields in cases:
        row = factories.TestModelFactory(character_col="plain", **fields)
        if matches:
            selected.add(row.id)
    for text in NEAR_MISSES:
        factories.TestModelFactory(character_col=text)
    return selected


def test_parameters_view_returns_what_the_orm_returns():
    selected = make_rows()
    orm = list(ParametersView.get_queryset().order_by("id").values_list("id", "character_col"))
    assert {row_id for row_id, _ in orm} == selected
    assert view_rows("test_parameters", "id, character_col") == orm
    assert {text for _, text in orm} == set(STRINGS)


def queryset_view(class_name: str, get_queryset) -> type:
    return type(
        class_name, (PostgresViewFromQueryset,), {"get_queryset": classmethod(get_queryset)}
    )


TEST_MODELS = models.TestModel.objects
EXTRA_VIEWS = [
    # No parameter at all: Django's doubled %% must still be undone.
    queryset_view(
        "CityInName",
        lambda cls: models.Customer.objects.filter(name__contains=F("city")).values("id"),
    ),
    queryset_view(
        "Contains", lambda cls: TEST_MODELS.filter(character_col__contains="0%_").values("id")
    ),
    queryset_view(
        "IContains", lambda cls: TEST_MODELS.filter(character_col__icontains="K\\S").values("id")
    ),
    queryset_view("EmptyIn", lambda cls: TEST_MODELS.filter(character_col__in=[]).values("id")),
    queryset_view("NoneAtAll", lambda cls: TEST_MODELS.none().values("id")),
    queryset_view(
        "LocalDate",
        lambda cls: TEST_MODELS.filter(datetime_col__date=datetime.date(2030, 1, 1)).values("id"),
    ),
    queryset_view(
        "DecimalRange",
        lambda cls: TEST_MODELS.filter(
            decimal_col__range=(Decimal("0.10"), Decimal("99.99"))
        ).values("id"),
    ),
    queryset_view(
        "Remainder",
        lambda cls: TEST_MODELS.annotate(rest=F("integer_col") % 3).filter(rest=1).values("id"),
    ),
]


def test_awkward_querysets_match_the_orm():
    for text in ["a 0%_ b", "a 0%x b", "a 0x_ b", "back\\slash", "BACK\\SLASH", "b\\s"]:
        factories.TestModelFactory(character_col=text, decimal_col=Decimal(len(text)))
    # 23:30 UTC is already the next day in Paris: __date converts with TIME_ZONE, a parameter.
    factories.TestModelFactory(datetime_col=datetime.datetime(2029, 12, 31, 23, 30, tzinfo=UTC))
    factories.TestModelFactory(datetime_col=datetime.datetime(2030, 1, 1, 23, 30, tzinfo=UTC))
    factories.CustomerFactory(name="Paris Hilton", city="Paris")
    factories.CustomerFactory(name="100% sure", city="%")
    factories.CustomerFactory(name="a_b", city="_")
    factories.CustomerFactory(name="x", city="%")
    sync_views(using="default", registry=Registry(EXTRA_VIEWS))
    for cls in EXTRA_VIEWS:
        expected = sorted(cls.get_queryset().values_list("id", flat=True))
        actual = [row_id for (row_id,) in view_rows(cls.name)]
        assert actual == expected, cls.__name__
    nonempty = {cls.__name__ for cls in EXTRA_VIEWS if view_rows(cls.name)}
    assert nonempty == {
        "CityInName",
        "Contains",
        "IContains",
        "LocalDate",
        "DecimalRange",
        "Remainder",
    }


def inlined_ids(queryset) -> list[int]:
    """Run the SQL the plan would put in the view (parameters inlined by the driver)."""
    probe = queryset_view("Probe", lambda cls: queryset.values("id"))
    query = build_plan([probe], "default").views[0].query
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM ({query}) AS probe ORDER BY id")
        return [row_id for (row_id,) in cursor.fetchall()]


def orm_ids(queryset) -> list[int]:
    return list(queryset.order_by("id").values_list("id", flat=True))


EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)
OFFSETS = st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)


@EXAMPLES
@given(stored=TEXT, searched=TEXT)
def test_any_string_is_inlined_as_the_orm_binds_it(stored, searched):
    factories.TestModelFactory(character_col=stored)
    for queryset in (
        TEST_MODELS.filter(character_col=searched),
        TEST_MODELS.filter(character_col__contains=searched),
        TEST_MODELS.filter(character_col__in=[searched, stored[::-1]]),
    ):
        assert inlined_ids(queryset) == orm_ids(queryset)


@EXAMPLES
@given(
    stored=st.datetimes(
        datetime.datetime(1900, 1, 2), datetime.datetime(2100, 1, 1), timezones=OFFSETS
    ),
    bound=st.datetimes(
        datetime.datetime(1900, 1, 2), datetime.datetime(2100, 1, 1), timezones=OFFSETS
    ),
)
def test_any_aware_datetime_is_inlined_as_the_orm_binds_it(stored, bound):
    factories.TestModelFactory(datetime_col=stored)
    queryset = TEST_MODELS.filter(datetime_col__lte=bound)
    assert inlined_ids(queryset) == orm_ids(queryset)
    assert inlined_ids(TEST_MODELS.filter(datetime_col=stored)) != []


@EXAMPLES
@given(
    stored=st.decimals(min_value=-99_999_999, max_value=99_999_999, places=2),
    bound=st.decimals(min_value=-99_999_999, max_value=99_999_999, places=4),
    day=st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)),
)
def test_any_decimal_and_date_is_inlined_as_the_orm_binds_it(stored, bound, day):
    factories.TestModelFactory(decimal_col=stored, date_col=day)
    for queryset in (
        TEST_MODELS.filter(decimal_col__lt=bound),
        TEST_MODELS.filter(date_col__gte=day),
    ):
        assert inlined_ids(queryset) == orm_ids(queryset)
