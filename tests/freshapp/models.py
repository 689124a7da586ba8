"""What the scheduled views of tests/freshapp read: readings, and knobs the tests turn."""

from django.db import models


class Reading(models.Model):
    value = models.IntegerField(default=1)
    #: A reading with divisor 0 makes the refresh of `Ratios` fail (division by zero).
    divisor = models.IntegerField(default=1)


class Knob(models.Model):
    """One row, read by the views: data, not code, so turning it changes no view definition."""

    #: Seconds every scheduled view sleeps while it is populated.
    delay = models.FloatField(default=0)
    #: Rows of `Big`, plus one per reading.
    big_rows = models.IntegerField(default=1000)
