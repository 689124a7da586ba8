"""DATABASES settings for development and tests: `DATABASE_URL`, else an embedded PostgreSQL.

The embedded server is `pgserver` (a real PostgreSQL 16 from PyPI), so a fresh machine can run
the tests and the example without installing a server. Neither package is a dependency of
django_orm_views_hook: install them with the `test` extra.
"""

from __future__ import annotations

import os
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
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise RuntimeError(
            "DATABASE_URL is not set and pgserver is not installed (it needs Python <= 3.12): "
            "pip install 'django-orm-views-hook[test]', or point DATABASE_URL at a PostgreSQL."
        ) from exc
    if data_dir is None:
        server = pgserver.get_server(
            tempfile.mkdtemp(prefix="orm-views-pg-"), cleanup_mode="delete"
        )
    else:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    return str(server.get_uri())


def database_settings(data_dir: str | Path | None = None, **extra: Any) -> dict[str, Any]:
    """One DATABASES entry for `database_url()`; `extra` keys (e.g. OPTIONS) are merged in."""
    import dj_database_url

    settings = dj_database_url.parse(database_url(data_dir))
    # pgserver's URLs name the socket directory as ?host=...; Django's own key for it is HOST.
    options = dict(settings.get("OPTIONS") or {})
    if "host" in options:
        settings["HOST"] = options.pop("host")
        settings["OPTIONS"] = options
    return {**settings, **extra}
