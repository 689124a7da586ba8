"""Whether a readable view's model and its view's columns agree: one check, two callers.

The sync checks the views it builds (and fails, naming every class at fault); the system check
`orm_views.E010` checks those it leaves alone. Both compare the model's fields with the
columns the catalogue lists, here.
"""

from __future__ import annotations

from collections.abc import Sequence

from .plan import ViewSpec


def mismatch(view: ViewSpec, actual: Sequence[str]) -> str | None:
    """The model's columns that the view lacks, and the view's the model lacks, in words;
    None when every field has its column (a view may have more columns than its model)."""
    missing = [column for column in view.required_columns if column not in actual]
    if not missing:
        return None
    extra = [column for column in actual if column not in view.required_columns]
    return (
        f"Missing from the view: {', '.join(missing)}. In the view but not the model: "
        f"{', '.join(extra) or 'none'}."
    )
