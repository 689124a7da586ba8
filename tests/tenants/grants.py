"""The analyst roles of each tenant, for the per-tenant grants (TENANTS_GRANTS=suffix).

Roles belong to the whole server, which the tests share, so their names end with a suffix
each test chooses.
"""

import os


def analyst_roles(schema_name: str) -> list[str]:
    """The roles granted the views of the tenant whose schema is `schema_name`."""
    return [f"{schema_name}_analyst_{os.environ['TENANTS_GRANTS']}"]
