"""Two classes with mistakes of their own: `check` names both at once."""

from .mistake_name import NumberedName  # noqa: F401
from .mistake_pk_field import PlainWithPk  # noqa: F401
