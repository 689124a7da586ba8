"""The lexer that tells a view's `sql` is one query: what counts as a statement boundary."""

from __future__ import annotations

import pytest

from django_orm_views_hook import sql_text


@pytest.mark.parametrize(
    ("sql", "count"),
    [
        ("SELECT 1; SELECT 2", 2),
        ("SELECT 1;", 1),
        ("SELECT 1;  -- only a comment after", 1),
        ("select $$;$$ AS a", 1),
        ("SELECT $tag$ ; $x$ ; $tag$ AS a", 1),
        ("SELECT ';' AS a", 1),
        ("SELECT 'it''s;' AS a", 1),
        ("SELECT E'\\';' AS a", 1),
        ('SELECT 1 AS ";"', 1),
        ("SELECT 1 -- x; y", 1),
        ("SELECT /* a /* nested; */ still; */ 1", 1),
        ("SELECT a$b$c FROM t; SELECT 2", 2),
        ("SELECT 1; /* c */ ; DROP TABLE t", 2),
    ],
)
def test_statements_split_at_top_level_semicolons_only(sql, count):
    assert len(sql_text.statements(sql)) == count


@pytest.mark.parametrize(
    ("sql", "word"),
    [
        ("SELECT 1", "SELECT"),
        ("  -- a comment\n /* and /* another */ */ (select 1)", "SELECT"),
        ("with a as (select 1) select * from a", "WITH"),
        ("DELETE FROM t", "DELETE"),
        ("-- nothing but a comment", ""),
    ],
)
def test_first_word_skips_blanks_comments_and_parentheses(sql, word):
    assert sql_text.first_word(sql) == word
