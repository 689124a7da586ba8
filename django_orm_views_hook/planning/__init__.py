"""From view classes to a plan, and from the catalog's state to what differs: pure decisions.

Specs, QuerySet compiling, ordering, the diff against the catalog, what a statement breaks and
which relations it locks (read with PostgreSQL's grammar). Data in, data out: no module here
imports `django.db.connections` or anything of `database/` and above.
"""
