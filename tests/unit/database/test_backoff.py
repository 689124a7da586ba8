"""The pause between two lock attempts: doubling, capped, half of it fixed (no database)."""

from __future__ import annotations

import pytest

from django_orm_views_hook.database import locking
from django_orm_views_hook.database.locking import MAX_BACKOFF, backoff


@pytest.fixture
def lowest(monkeypatch):
    """The random half at its lowest: only the fixed half remains."""
    monkeypatch.setattr(locking.random, "uniform", lambda low, high: low)


@pytest.fixture
def highest(monkeypatch):
    monkeypatch.setattr(locking.random, "uniform", lambda low, high: high)


def test_the_first_pause_is_about_one_attempt(lowest):
    assert backoff(1, 0.1) == pytest.approx(0.05)


def test_each_failed_attempt_doubles_the_pause(highest):
    assert [backoff(n, 0.1) for n in range(1, 5)] == pytest.approx([0.1, 0.2, 0.4, 0.8])


def test_the_pause_is_capped(monkeypatch):
    monkeypatch.setattr(locking.random, "uniform", lambda low, high: high)
    assert backoff(30, 0.1) == pytest.approx(MAX_BACKOFF)
    monkeypatch.setattr(locking.random, "uniform", lambda low, high: low)
    assert backoff(30, 0.1) == pytest.approx(MAX_BACKOFF / 2)


def test_the_pause_never_exceeds_the_cap():
    assert MAX_BACKOFF == 2.0
    for attempts in range(1, 40):
        assert backoff(attempts, 0.1) <= MAX_BACKOFF


def test_half_of_the_pause_is_random_so_that_two_runs_drift_apart():
    pauses = [backoff(3, 0.1) for _ in range(200)]
    assert all(0.2 <= pause <= 0.4 for pause in pauses)
    assert len(set(pauses)) > 100
