"""DATABASES settings for development and tests: `DATABASE_URL`, else an embedded PostgreSQL.

The embedded server is `pgserver` (a real PostgreSQL 16 from PyPI), so a fresh machine can run
the tests, the example or a project of one's own without installing a server. Neither it nor
dj-database-url is a dependency of django_orm_views_hook: the `embedded` extra installs them
(pgserver has wheels up to Python 3.12 only; on 3.13, `DATABASE_URL` is the way).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any


def database_url(data_dir: str | Path | None = None) -> str:
    """`DATABASE_URL` when set; otherwise start (or reuse) an embedded server and return its URL.

    Args:
        data_dir: where the embedded server keeps its data; it is kept after exit. Without it, a
            temporary directory is used and deleted when the process exits.
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    try:
        import pgserver
    except ImportError as exc:
        raise RuntimeError(no_embedded_server(sys.version_info[:2])) from exc
    if data_dir is None:
        server = pgserver.get_server(
            tempfile.mkdtemp(prefix="orm-views-pg-"), cleanup_mode="delete"
        )
    else:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    return str(server.get_uri())


def no_embedded_server(python: tuple[int, int]) -> str:
    """What to do when DATABASE_URL is not set and pgserver cannot be imported."""
    url = "DATABASE_URL=postgres://USER@HOST:5432/NAME"
    if python >= (3, 13):
        return (
            f"DATABASE_URL is not set, and the embedded PostgreSQL (pgserver) cannot run on "
            f"Python {python[0]}.{python[1]}: it publishes no wheels for it. Point DATABASE_URL "
            f"at a PostgreSQL server of your own ({url}; the database must exist: createdb "
            f"NAME), or use Python 3.11 or 3.12 for the embedded one."
        )
    return (
        "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not installed: "
        "install it with the `embedded` extra of django-orm-views-hook (pip install pgserver "
        f"dj-database-url does the same), or point DATABASE_URL at a PostgreSQL server ({url})."
    )


def database_settings(data_dir: str | Path | None = None, **extra: Any) -> dict[str, Any]:
    """One DATABASES entry for `database_url()`; `extra` keys (e.g. OPTIONS) are merged in."""
    try:
        import dj_database_url
    except ImportError as exc:
        raise RuntimeError(
            "django_orm_views_hook.embedded needs dj-database-url: install the `embedded` "
            "extra of django-orm-views-hook, or pip install dj-database-url."
        ) from exc

    settings = dj_database_url.parse(database_url(data_dir))
    # pgserver's URLs name the socket directory as ?host=...; Django's own key for it is HOST.
    options = dict(settings.get("OPTIONS") or {})
    if "host" in options:
        settings["HOST"] = options.pop("host")
        settings["OPTIONS"] = options
    return {**settings, **extra}
