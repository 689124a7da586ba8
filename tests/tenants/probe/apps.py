"""Connects the probe's receivers: Django's migrate signals and django-tenants' own.

It also counts, schema by schema, the statements that read the system catalogs, from
schema_pre_migration to schema_migrated, on every connection the process opens: comparing a
run with the package on and off tells what the package adds per tenant.
"""

import json
import os
import re

from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, pre_migrate

#: A statement that reads a system catalog (not one that calls a pg_ function, like a lock).
CATALOG = re.compile(
    r"\b(pg_catalog|information_schema)\.|\bto_regclass\(|\bpg_(class|namespace|depend|rewrite"
    r"|description|attribute|proc|type|roles|authid|index|constraint|inherits|locks|settings"
    r"|views|matviews|tables|trigger|policy|attrdef|shdepend|statistic_ext|stat_activity)\b"
)
_catalog_statements = [0]


def _record(signal: str, sender, **fields) -> None:
    with open(os.environ["TENANTS_PROBE"], "a") as out:
        out.write(json.dumps({"signal": signal, "sender": sender, "pid": os.getpid(), **fields}))
        out.write("\n")


def _state(using: str) -> dict:
    connection = connections[using]
    with connection.cursor() as cursor:  # django-tenants sets the search_path here
        cursor.execute("SELECT current_setting('search_path')")
        (search_path,) = cursor.fetchone()
    return {
        "using": using,
        "schema": connection.schema_name,
        "tenant_class": type(connection.tenant).__name__,
        "search_path": search_path,
        "in_atomic_block": connection.in_atomic_block,
    }


def _migrate_signal(name: str):
    def receiver(sender, using, plan=None, **kwargs):
        if sender.name != "django_orm_views_hook":  # sent once per app: keep one app's turn
            return
        _record(name, sender.label, plan=len(plan or ()), **_state(using))

    receiver.__name__ = name
    return receiver


def _count_catalog_statements(execute, sql, params, many, context):
    if isinstance(sql, str) and CATALOG.search(sql) and not sql.startswith("SET "):
        _catalog_statements[0] += 1
    return execute(sql, params, many, context)


def _watch(sender, connection, **kwargs):
    if _count_catalog_statements not in connection.execute_wrappers:
        connection.execute_wrappers.append(_count_catalog_statements)


def _tenants_signal(name: str):
    def receiver(sender, **kwargs):
        what = {k: getattr(v, "schema_name", v) for k, v in kwargs.items() if k != "signal"}
        if name == "schema_migrated":
            _record(
                "catalog_queries",
                "probe",
                counted=what["schema_name"],
                count=_catalog_statements[0],
            )
        _record(name, getattr(sender, "__name__", str(sender)), **what, **_state("default"))
        if name == "schema_pre_migration":
            _catalog_statements[0] = 0

    receiver.__name__ = name
    return receiver


def _deleted(sender, instance, **kwargs):
    if sender.__name__ == "Client":
        _record("post_delete", "Client", tenant=instance.schema_name, **_state("default"))


class ProbeConfig(AppConfig):
    name = "tests.tenants.probe"

    def ready(self) -> None:
        from django_tenants import signals

        # weak=False: the receivers are closures that nothing else holds.
        pre_migrate.connect(_migrate_signal("pre_migrate"), weak=False)
        post_migrate.connect(_migrate_signal("post_migrate"), weak=False)
        for name in (
            "schema_pre_migration",
            "schema_migrated",
            "post_schema_sync",
            "schema_needs_to_be_sync",
        ):
            getattr(signals, name).connect(_tenants_signal(name), weak=False)
        post_delete.connect(_deleted, weak=False)
        connection_created.connect(_watch, weak=False)
