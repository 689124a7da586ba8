"""Each page's examples, run: every ```python and ```console block, in its session."""

from __future__ import annotations

import shutil

import pytest

from tests.docs import sessions
from tests.docs.pages import all_pages

PAGES = [page for page in all_pages() if page.sessions]


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_the_pages_examples_do_what_it_shows(page):
    problems = []
    for index, session in enumerate(page.sessions, start=1):
        if sessions.needs_psql(session) and shutil.which("psql") is None:
            pytest.skip(f"{session.where}: psql is not installed, and this session runs it")
        problems += sessions.run_session(session, index)
    assert not problems, "\n\n".join(problems)
