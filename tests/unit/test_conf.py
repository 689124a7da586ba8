"""The settings' durations, parsed once in conf: seconds, or a string with a unit (no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test.utils import override_settings

from django_orm_views_hook import conf

SETTING = "ORM_VIEWS_LOCK_BUDGET"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (5, 5.0),
        (0.5, 0.5),
        ("100ms", 0.1),
        ("60s", 60.0),
        (" 1.5 s ", 1.5),
        (".5s", 0.5),
        ("2min", 120.0),
        ("1h", 3600.0),
        ("250MS", 0.25),
    ],
)
def test_a_duration_is_a_number_of_seconds_or_a_string_with_a_unit(value, seconds):
    with override_settings(**{SETTING: value}):
        assert conf.duration(SETTING) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["100", "0s", 0, -1, True, "5 days", "s", None, "1e3s", [5]])
def test_anything_else_is_refused_naming_the_setting(value):
    """A string without a unit above all: PostgreSQL reads "100" as milliseconds."""
    with override_settings(**{SETTING: value}), pytest.raises(ImproperlyConfigured) as refused:
        conf.duration(SETTING)
    assert str(refused.value).startswith(f"{SETTING} must be a positive duration")
    assert repr(value) in str(refused.value)


def test_the_defaults_apply_when_a_setting_is_not_set():
    with override_settings():
        from django.conf import settings

        for name in ("ORM_VIEWS_LOCK_ATTEMPT_TIMEOUT", "ORM_VIEWS_LOCK_BUDGET"):
            if hasattr(settings, name):
                delattr(settings, name)
        assert conf.lock_attempt_timeout() == pytest.approx(0.1)
        assert conf.lock_budget() == 60.0
        assert conf.setting("ORM_VIEWS_LOCK_BUDGET") == "60s"


@pytest.mark.parametrize(
    ("value", "shown", "seconds"),
    [(None, None, None), ("200ms", "200ms", 0.2), (" 5s", "5s", 5.0), (5, "5s", 5.0)],
)
def test_lock_timeout_as_shown_and_in_seconds(value, shown, seconds):
    with override_settings(ORM_VIEWS_LOCK_TIMEOUT=value):
        assert conf.lock_timeout() == shown
        assert conf.lock_timeout_seconds() == (None if seconds is None else pytest.approx(seconds))


def test_a_lock_timeout_without_a_unit_is_refused():
    with override_settings(ORM_VIEWS_LOCK_TIMEOUT="5"), pytest.raises(ImproperlyConfigured):
        conf.lock_timeout_seconds()
