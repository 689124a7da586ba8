"""Ordinary models beside readable views of the same app."""

from __future__ import annotations

from django.db import models


class Note(models.Model):
    text = models.TextField()
