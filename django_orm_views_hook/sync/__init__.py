"""Running a plan: prepare, lock, swap, privileges, results; and the public `sync_views`."""
