"""Everything that talks to PostgreSQL below a sync: catalog queries, locks, the batch runner.

Every catalog query of the package lives here, by subject; so do the lock attempts, the deploy
lock, deferred constraints, the refresh state and the pg_cron catalog.
"""
