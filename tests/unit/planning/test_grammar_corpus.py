"""The fidelity corpus: the package decides about each input exactly as it did with pglast.

grammar_corpus.py holds the inputs, grammar_corpus.json the answers recorded before the switch
(and the reviewed changes since, each with its reason in CHANGELOG.md).
"""

from __future__ import annotations

import pytest

from tests.unit.planning import grammar_corpus

EXPECTED = grammar_corpus.expected()


@pytest.mark.parametrize(
    ("sql", "has_params"),
    grammar_corpus.inputs(),
    ids=[grammar_corpus.key(*item)[:60] for item in grammar_corpus.inputs()],
)
def test_the_answers_are_the_recorded_ones(sql, has_params):
    assert grammar_corpus.answers(sql, has_params) == EXPECTED[grammar_corpus.key(sql, has_params)]


def test_every_input_has_a_recorded_answer_and_every_answer_an_input():
    keys = {grammar_corpus.key(*item) for item in grammar_corpus.inputs()}
    assert len(keys) == len(grammar_corpus.inputs()), "an input is listed twice"
    assert keys == set(EXPECTED)
