"""`refresh_views --status` and `--check`, as a monitoring job runs them: real processes, their
output and exit status."""

from __future__ import annotations

import re

import pytest

from tests.support.fresh import LABEL, fresh_database

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["View", "Every", "Last refresh", "Age", "Took", "Rows", "State"]


@pytest.fixture(scope="module")
def fresh(django_db_blocker):
    with django_db_blocker.unblock(), fresh_database("status") as fresh:
        yield fresh


def table(output: str) -> dict[str, list[str]]:
    """{view: its cells} of the --status table (cells are two or more spaces apart)."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()]
    assert rows[0] == HEADER, output
    return {row[0]: row for row in rows[1:] if row[0].startswith("views.")}


def test_status_and_check_follow_the_refreshes(fresh):
    before = fresh.run("refresh_views", "--status")
    assert before.returncode == 0, before.stderr
    rows = table(before.stdout)
    assert list(rows) == [
        "views.fresh_totals",
        "views.fresh_ratios",
        "views.fresh_big",
        "views.fresh_unscheduled",
        "views.fresh_latestreading",
        "views.fresh_doubled",
    ]
    assert rows["views.fresh_totals"] == [
        "views.fresh_totals", "0:15:00", "never", "-", "-", "-", "overdue"
    ]  # fmt: skip
    assert rows["views.fresh_unscheduled"][1:] == ["-", "never", "-", "-", "-", "not scheduled"]

    never = fresh.run("refresh_views", "--check")
    assert never.returncode == 1
    assert "5 materialised views overdue" in never.stderr
    assert f"views.fresh_totals ({LABEL.format('Totals')}): never refreshed" in never.stderr
    assert "fresh_unscheduled" not in never.stderr

    fresh.reading()
    assert fresh.due().returncode == 0
    after = table(fresh.run("refresh_views", "--status").stdout)
    view, every, last, age, took, count, state = after["views.fresh_big"]
    assert (every, count, state) == ("0:15:00", "1001", "fresh")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", last)
    assert re.fullmatch(r"0:00:0\d", age) and re.fullmatch(r"\d+\.\d{3}s", took)
    assert after["views.fresh_unscheduled"][-1] == "not scheduled"
    fine = fresh.run("refresh_views", "--check")
    assert (fine.returncode, fine.stdout) == (0, "5 scheduled materialised views, none overdue.\n")

    fresh.make_due("fresh_totals", ago="20 minutes")  # due, not overdue
    due = table(fresh.run("refresh_views", "--status").stdout)["views.fresh_totals"]
    assert re.fullmatch(r"0:20:0\d", due[3]) and due[-1] == "due"
    assert fresh.run("refresh_views", "--check").returncode == 0

    fresh.make_due("fresh_totals", ago="31 minutes")  # more than twice its 15 minutes
    overdue = table(fresh.run("refresh_views", "--status").stdout)["views.fresh_totals"]
    assert overdue[-1] == "overdue"
    late = fresh.run("refresh_views", "--check")
    assert late.returncode == 1
    assert late.stderr.startswith("CommandError: 1 materialised view overdue")
    assert re.search(
        rf"views\.fresh_totals \({LABEL.format('Totals')}\): last refreshed 0:31:0\d ago; "
        r"refresh_every is 0:15:00",
        late.stderr,
    ), late.stderr

    # A longer interval in the code: the same age is fine.
    relaxed = fresh.run("refresh_views", "--check", FRESH_EVERY_MINUTES="60")
    assert relaxed.returncode == 0, relaxed.stderr


def test_status_shows_the_error_of_a_failing_view(fresh):
    fresh.reading(divisor=0)
    fresh.make_due("fresh_ratios", ago="1 hour")
    assert fresh.due().returncode == 1
    status = fresh.run("refresh_views", "--status").stdout
    assert re.search(
        rf"views\.fresh_ratios \({LABEL.format('Ratios')}\): last refresh failed at "
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: division by zero",
        status,
    ), status
    fresh.sql("DELETE FROM freshapp_reading WHERE divisor = 0")
