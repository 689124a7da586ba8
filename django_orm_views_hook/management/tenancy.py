"""The commands in a django-tenants project: which tenants' views they work on.

As django-tenants' own commands do: `-s/--schema <tenant>` for one tenant (or the shared
schema, for the views built once); run through `tenant_command`, the tenant it set; else the
views built once, then every tenant's, each reported under its tenant's name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .. import conf
from ..database import tenants


def add_schema_argument(parser: Any) -> None:
    """`-s/--schema`, in a django-tenants project only."""
    if conf.tenants():
        parser.add_argument(
            "-s",
            "--schema",
            dest="schema_name",
            metavar="SCHEMA",
            help="One tenant's views (its schema), or those built once (the shared schema, "
            f'"{conf.public_schema()}"). Default: those built once, then every tenant\'s.',
        )


def tenant_database() -> str:
    """The alias of the database of the tenants (django-tenants' TENANT_DB_ALIAS)."""
    return str(getattr(settings, "TENANT_DB_ALIAS", DEFAULT_DB_ALIAS))


def targets(options: dict[str, Any]) -> list[str | None]:
    """The tenants to work on, None standing for the views built once."""
    if not conf.tenants():
        return [None]
    named = options.get("schema_name")
    if named == conf.public_schema():
        return [None]
    if named:
        if named not in tenants.all_tenants(tenant_database()):
            raise CommandError(f'No tenant has schema "{named}".')
        return [named]
    if current() is not None:  # tenant_command set it
        return [current()]
    return [None, *tenants.all_tenants(tenant_database())]


def current() -> str | None:
    """The tenant the tenants' database is set to (None: the shared schema, or no tenants)."""
    return tenants.current(connections[tenant_database()])


def each_target(options: dict[str, Any]) -> Iterator[str | None]:
    """Each target of `targets`, the tenants' database set to it while the caller works on it
    (the databases other than the tenants' are the views-built-once target's)."""
    for target in targets(options):
        with set_to(target):
            yield target


@contextmanager
def set_to(target: str | None) -> Iterator[None]:
    """The tenants' database set to `target` (None: the shared schema) within the block."""
    if not conf.tenants() or target == current():
        yield
        return
    with tenants.set_to(connections[tenant_database()], target):
        yield


def database_for(target: str | None, database: str | None) -> str | None:
    """The database a command covers for `target`: a tenant's is the tenants' database; for the
    views built once, the `--database` given (None: every database that has views)."""
    return database if target is None else tenant_database()


def where(using: str, tenant: str | None) -> str:
    """How a message names a database, and a tenant's views in it."""
    return f'database "{using}"' + ("" if tenant is None else f', tenant "{tenant}"')
