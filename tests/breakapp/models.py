"""The final state of the table that migrations 0001-0009 change under 60 views."""

from django.db import models


class Reading(models.Model):
    title = models.CharField(max_length=50, help_text="shown to analysts")
    score = models.BigIntegerField(default=0)
    extra = models.IntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["score"], name="reading_score_idx")]
