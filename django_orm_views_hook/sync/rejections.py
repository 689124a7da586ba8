"""Views the database rejects during a sync: the sync fails, or leaves them out.

With `skip_unbuildable` (a migrate's `--skip-unbuildable-views`, or the views over tables not
created yet), a rejected view and the views that read it are left out: dropped, not built, and
named in the result. A batch that fails leaves the transaction as it was (database/batch.py),
so the same part of the sync is planned again without them and run once more. That happens
wherever the views are built: before the exclusive locks (`prepare`) or under them (`swap`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TypeVar

from ..exceptions import Rejection, ViewBuildError
from ..planning import diff
from ..planning.plan import Key, Plan, ViewSpec
from ..sql.statement import Statement

#: Leave out every rejected view (True), none (False), or those a test accepts.
Skip = bool | Callable[[Rejection], bool]
#: Per view class, the view classes it reads (a batch does not try a reader of a rejected one).
Reads = Mapping[str, Collection[str]] | None
#: Runs statements as one batch (database/batch.py).
RunBatch = Callable[[Sequence[Statement], Reads], None]

T = TypeVar("T")


class LeftOut:
    """The views a sync leaves out because the database rejected them (or they read one)."""

    def __init__(self, plan: Plan, skip: Skip) -> None:
        self.plan = plan
        self.skip = skip
        self.keys: set[Key] = set()
        #: Every rejection met so far, with the views not tried because they read one.
        self.refused: ViewBuildError | None = None

    def run(
        self,
        run_batch: RunBatch,
        make: Callable[[frozenset[Key]], T],
        statements: Callable[[T], Sequence[Statement]],
        built: Callable[[T], Sequence[ViewSpec]],
    ) -> T:
        """Run `statements(make(left out so far))`; when the database rejects views that may be
        left out, leave them out with their readers among `built`, and run it again.

        Raises ViewBuildError for the rejections `skip` does not accept.
        """
        made = make(frozenset(self.keys))
        try:
            run_batch(statements(made), _reads(self.plan))
        except ViewBuildError as exc:
            self._admit(exc, built(made))
        else:
            return made
        made = make(frozenset(self.keys))
        run_batch(statements(made), None)
        return made

    def _admit(self, refused: ViewBuildError, built: Sequence[ViewSpec]) -> None:
        _raise_unless_skipped(refused, self.skip)
        self.refused = refused if self.refused is None else _both(self.refused, refused)
        self.keys |= _with_readers(self.plan, refused) & {view.key for view in built}


def _raise_unless_skipped(refused: ViewBuildError, skip: Skip) -> None:
    """Raise `refused` unless `skip` lets the sync leave out every view it names.

    A test (`skip` callable) that some rejections fail raises those alone: the others would
    have been left out, and the run fails for what is really wrong.
    """
    if skip is True:
        return
    failing = [r for r in refused.rejections if not callable(skip) or not skip(r)]
    if len(failing) == len(refused.rejections):
        raise refused
    if failing:
        raise ViewBuildError(failing, refused.blocked) from refused


def _both(first: ViewBuildError, then: ViewBuildError) -> ViewBuildError:
    """The views rejected while preparing and while swapping, reported together."""
    return ViewBuildError([*first.rejections, *then.rejections], [*first.blocked, *then.blocked])


def _reads(plan: Plan) -> dict[str, list[str]]:
    """{view class: the view classes it reads}, as `batch.run` names them."""
    labels = {view.key: view.label for view in plan.views}
    return {view.label: [labels[key] for key in view.dependencies] for view in plan.views}


def _with_readers(plan: Plan, refused: ViewBuildError) -> set[Key]:
    """The views the database rejected and every view of the plan that reads one."""
    failed = {rejection.label for rejection in refused.rejections} | set(refused.blocked)
    readers: dict[Key, set[Key]] = {}
    for view in plan.views:
        for key in view.dependencies:
            readers.setdefault(key, set()).add(view.key)
    keys = [view.key for view in plan.views if view.label in failed]
    return diff.with_dependents(keys, {k: frozenset(v) for k, v in readers.items()})
