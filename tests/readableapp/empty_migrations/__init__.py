"""An empty migrations package, as `startapp` leaves it: tests point MIGRATION_MODULES here."""
