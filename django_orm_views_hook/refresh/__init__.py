"""Refreshing materialised views: now (`refresh_materialized_view`) or when due (`refresh_due`)."""
