"""SQL text: the statements a sync, a refresh or the pg_cron job runs. Pure functions of plans.

Identifiers and literals are quoted through a `Quoting` the caller fills from the connection.
"""
