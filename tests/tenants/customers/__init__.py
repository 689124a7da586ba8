"""The shared app: tenants, their domains, and the plans they subscribe to (in `public`)."""
