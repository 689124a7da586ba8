"""Fixtures shared by every test; the shared helpers are modules of tests/support/."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command


@dataclass
class CommandOutput:
    stdout: str
    stderr: str


@pytest.fixture
def run_command():
    """call_command with stdout and stderr captured: run_command("sync_views", "--dry-run")."""

    def run(name: str, *args: str, **options) -> CommandOutput:
        out, err = io.StringIO(), io.StringIO()
        call_command(name, *args, stdout=out, stderr=err, **options)
        return CommandOutput(out.getvalue(), err.getvalue())

    return run
